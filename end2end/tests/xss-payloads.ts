// XSS payloads shared by xss.spec.ts (JavaScript on) and xss.nojs.spec.ts (raw HTML checks).
// Each one, if it ever ran, would set window.__xss or open a dialog.
export const TEXT_PAYLOADS = [
  '<script>window.__xss=1</script>',
  '"><img src=x onerror="window.__xss=1">',
  "'><svg onload=window.__xss=1>",
  '</title><script>window.__xss=1</script>',
  '</script><script>alert(1)</script>',
  '<iframe src="javascript:window.__xss=1"></iframe>',
];

export const URL_PAYLOADS = [
  'javascript:window.__xss=1',
  'JaVaScRiPt:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  '" onmouseover="window.__xss=1',
  '//evil.example/x',
];

/** Elements that must never appear unescaped in a visitor page built from the payloads. */
export const FORBIDDEN_MARKUP = [/<script>window\.__xss/i, /<img src=x onerror/i, /<svg onload/i, /href="javascript:/i, /<script>alert/i];

/**
 * Markup for Custom HTML blocks (Pro). Tenant HTML is meant to be markup, so it is not escaped
 * away: it lands in a sandboxed `srcdoc` frame with an opaque origin, under the visitor CSP
 * (no inline script, no handlers, no javascript: URLs). Each block starts with a visible
 * "Custom payload N" line, so a test can tell that the frame rendered.
 */
/**
 * What a Custom HTML payload does if it runs: it marks its own window and tells the visitor page
 * (the top window), so a test can see it from the page without reaching into each frame.
 */
export const XSS_MESSAGE = 'xss-ran';
const RAN = `window.__xss=1;top.postMessage('${XSS_MESSAGE}','*')`;

export const CUSTOM_HTML_PAYLOADS = [
  `<script>${RAN}</script>`,
  `<img src=x onerror="${RAN}">`,
  `<svg onload="${RAN}"></svg>`,
  `<a href="javascript:${RAN}">Run me</a>`,
  `<iframe src="javascript:${RAN}"></iframe>`,
  '<script>alert(1)</script><body onload="alert(2)">',
  `"></iframe><script>${RAN}</script>`,
  '<script>parent.document.title="pwned"; top.location="javascript:alert(3)"</script>',
].map((p, i) => `<p>Custom payload ${i + 1}</p>${p}`);
