// Shared helpers for the SitePilot end-to-end specs.

/**
 * URL of a visitor site served on its own subdomain of localhost, e.g.
 * siteUrl('demo', '/about') -> http://demo.localhost:<port>/about.
 * Browsers resolve *.localhost to loopback, so no DNS setup is needed.
 */
export function siteUrl(subdomain: string, path = '/'): string {
  const port = process.env.SITEPILOT_PORT;
  if (!port) {
    throw new Error('SITEPILOT_PORT is not set (scripts/test.sh sets it to the e2e server port)');
  }
  const suffix = path.startsWith('/') ? path : `/${path}`;
  return `http://${subdomain}.localhost:${port}${suffix}`;
}

/** An e-mail address no earlier run has used: prefix + timestamp + random part. */
export function uniqueEmail(prefix: string): string {
  const random = Math.random().toString(36).slice(2, 8);
  return `${prefix}-${Date.now()}-${random}@sitepilot.test`;
}

/** The app's origin (http://127.0.0.1:<port>): scripted POSTs carrying the session cookie must send it
 * as `Origin`, or the server refuses them as cross-site (server/src/http/csrf.rs). */
export function appOrigin(): string {
  const base = process.env.SITEPILOT_BASE_URL;
  if (!base) {
    throw new Error('SITEPILOT_BASE_URL is not set (scripts/test.sh sets it)');
  }
  return new URL(base).origin;
}
