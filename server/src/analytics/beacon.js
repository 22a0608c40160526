// SitePilot page-view beacon. No cookies, no storage, no identifiers: the server derives an
// anonymous visitor id from the request and a salt that changes every day.
(function () {
  var body = JSON.stringify({ p: location.pathname, r: document.referrer || '' });
  if (navigator.sendBeacon && navigator.sendBeacon('/_sp/event', body)) return;
  if (window.fetch) fetch('/_sp/event', { method: 'POST', body: body, keepalive: true, credentials: 'omit' });
})();
