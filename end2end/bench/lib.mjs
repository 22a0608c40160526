// Shared by the benchmark scripts: order statistics and a small client for the app's server
// functions (cookie session, JSON or form bodies), so each script measures rather than re-plumbs.

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
  return { call, cookie: () => cookie };
}

/** Signs up a fresh organisation; returns its first website (with pages). */
export async function signUpFresh(api, label) {
  const tag = Math.random().toString(36).slice(2, 8);
  const email = `${label}-${Date.now()}-${tag}@sitepilot.test`;
  await api.call('signup', { full_name: `${label} owner`, org_name: `${label} ${tag}`, email, password: 'bench-password-1' }, true);
  const sites = await api.call('websites', {}, true);
  return sites[0];
}
