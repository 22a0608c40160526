// Shared by the benchmark scripts: order statistics and a small client for the app's server
// functions (cookie session, JSON or form bodies), so each script measures rather than re-plumbs.
import fs from 'node:fs';
import path from 'node:path';

const sorted = (xs) => [...xs].sort((a, b) => a - b);

export const median = (xs) => {
  const s = sorted(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The q-th quantile (0..1) by the nearest-rank method. */
export const quantile = (xs, q) => {
  const s = sorted(xs);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(s.length * q) - 1))];
};

export const p95 = (xs) => quantile(xs, 0.95);

export const summary = (xs) => ({ median: +median(xs).toFixed(2), p95: +p95(xs).toFixed(2), samples: xs.length });

/** A signed-in client for `${base}/api/...`; the session cookie is kept from the responses. */
export function apiClient(base) {
  let cookie = '';
  async function call(path, body, form = false) {
    const res = await fetch(`${base}/api/${path}`, {
      method: 'POST',
      headers: {
        'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
        accept: 'application/json',
        // State-changing requests with a cookie must name the app's origin (server/src/http/csrf.rs).
        origin: new URL(base).origin,
        cookie,
      },
      body: form ? new URLSearchParams(body).toString() : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) cookie = setCookie.split(';')[0];
    const text = await res.text();
    if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }
  return { call, base, cookie: () => cookie };
}

/** Follows the verification link of the sign-up email to `email`, read from the SMTP sink's folder
 * (`BENCH_MAIL_DIR`, started by the bench script), in the client's session. Publishing needs it. */
async function verifyEmail(api, base, email) {
  const dir = process.env.BENCH_MAIL_DIR;
  if (!dir) throw new Error('BENCH_MAIL_DIR is not set: the bench script starts the SMTP sink and sets it');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    for (const f of fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.json')) : []) {
      const mail = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      if (!mail.rcpt_tos.includes(email)) continue;
      const link = mail.text.split(/\s+/).find((w) => w.startsWith('http') && w.includes('/verify-email/'));
      if (!link) continue;
      const res = await fetch(new URL(new URL(link).pathname, base), { headers: { cookie: api.cookie() }, redirect: 'manual' });
      if (res.status >= 400) throw new Error(`verification link answered ${res.status}`);
      return;
    }
    // The email job runs on the server's worker; poll its delivery folder.
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no verification email to ${email} in ${dir} within 30 s`);
}

/** Signs up a fresh organisation; returns its first website (with pages). `verify` follows the
 * sign-up email's link first (for scripts that publish). */
export async function signUpFresh(api, label, { verify = false } = {}) {
  const tag = Math.random().toString(36).slice(2, 8);
  const email = `${label}-${Date.now()}-${tag}@sitepilot.test`;
  await api.call('signup', { full_name: `${label} owner`, org_name: `${label} ${tag}`, email, password: 'bench-password-1' }, true);
  if (verify) await verifyEmail(api, api.base, email);
  const sites = await api.call('websites', {}, true);
  return sites[0];
}
