// Bytes on the wire and time to interactive of one route, as Chromium sees them (used by
// bundle-size.mjs; method in end2end/bench/BENCHMARKS.md, "Bytes on the wire").
//
// For each network profile, `runs` cold visits, each in a fresh browser context with the cache
// disabled through CDP (`Network.setCacheDisabled`) and the profile applied with
// `Network.emulateNetworkConditions`. Bytes are the sum of `encodedDataLength` (headers and
// body as received, after Content-Encoding) of every request the page makes until the network
// is idle, split into `opening` and `background` (wasm-split chunks the builder fetches on its
// own once it is open). Time is `performance.now()` when `body[data-hydrated=true]` appears,
// i.e. from the start of the navigation; on the builder also when `.builder[data-editor=ready]`
// appears (its editor chunk is in and has taken over). Then a second visit in the same context with the
// cache enabled, which must take no .js or .wasm from the network.
import { median } from './lib.mjs';

export const PROFILES = [
  { name: 'none', latency: 0, bps: -1 },
  { name: '9 Mbps / 60 ms RTT', latency: 60, bps: 9_000_000 },
  { name: '1.6 Mbps / 150 ms RTT', latency: 150, bps: 1_600_000 },
];

const HYDRATED = () => {
  const mark = () => {
    if (document.body?.dataset.hydrated === 'true' && !window.__spHydratedAt) {
      window.__spHydratedAt = performance.now();
    }
    // The builder's editor, fetched once the page has hydrated (app/src/ui/builder/editor_ui.rs).
    if (document.querySelector('.builder[data-editor="ready"]') && !window.__spEditorAt) {
      window.__spEditorAt = performance.now();
    }
  };
  new MutationObserver(mark).observe(document, { attributes: true, subtree: true, childList: true, attributeFilter: ['data-hydrated', 'data-editor'] });
};

/** Records every request of `page` through CDP: url, encoding, bytes, where it came from. */
async function recorder(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const byId = new Map();
  cdp.on('Network.requestWillBeSent', (e) => {
    byId.set(e.requestId, { url: e.request.url, bytes: 0, done: false });
  });
  cdp.on('Network.responseReceived', (e) => {
    const r = byId.get(e.requestId);
    if (!r) return;
    const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
    r.status = e.response.status;
    r.encoding = h['content-encoding'] || 'identity';
    r.cacheControl = h['cache-control'] || '';
    r.fromCache = !!(r.fromCache || e.response.fromDiskCache || e.response.fromMemoryCache || e.response.fromPrefetchCache);
  });
  // A memory-cache hit has no flag on its response; Chromium announces it with this event.
  cdp.on('Network.requestServedFromCache', (e) => {
    const r = byId.get(e.requestId);
    if (r) r.fromCache = true;
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = byId.get(e.requestId);
    if (r) Object.assign(r, { bytes: e.encodedDataLength, done: true });
  });
  cdp.on('Network.loadingFailed', (e) => {
    const r = byId.get(e.requestId);
    if (r) Object.assign(r, { failed: e.errorText, done: true });
  });
  const requests = () => [...byId.values()].filter((r) => !r.url.startsWith('data:'));
  return { cdp, requests, reset: () => byId.clear() };
}

const fileOf = (url) => new URL(url).pathname;
const sum = (rs) => rs.reduce((n, r) => n + r.bytes, 0);

/** Time to hydrated and, on the builder, to its editor being in (null elsewhere). */
async function visit(page, url) {
  await page.goto(url);
  await page.waitForFunction(() => window.__spHydratedAt, null, { timeout: 120_000 });
  if (await page.locator('.builder').count()) {
    await page.waitForFunction(() => window.__spEditorAt, null, { timeout: 120_000 });
  }
  await page.waitForLoadState('networkidle');
  return page.evaluate(() => [window.__spHydratedAt, window.__spEditorAt ?? null]);
}

/**
 * Measures `url` (a page of `base` that sets `body[data-hydrated]`) in `browser`, whose
 * contexts get `cookie`. `background` is the set of paths fetched in the background.
 */
export async function measureWire({ browser, base, url, cookie, background, runs }) {
  const profiles = [];
  let second = null;
  for (const profile of PROFILES) {
    const samples = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      const [name, value] = cookie.split('=');
      await context.addCookies([{ name, value, url: base }]);
      await context.addInitScript(HYDRATED);
      const page = await context.newPage();
      const rec = await recorder(page);
      await rec.cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      await rec.cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: profile.latency,
        downloadThroughput: profile.bps < 0 ? -1 : profile.bps / 8,
        uploadThroughput: profile.bps < 0 ? -1 : profile.bps / 8,
      });
      const [hydratedMs, editorMs] = await visit(page, url);
      const all = rec.requests();
      const failed = all.filter((r) => r.failed || (r.status && r.status >= 400));
      if (failed.length) throw new Error(`failed requests: ${JSON.stringify(failed)}`);
      const opening = all.filter((r) => !background.has(fileOf(r.url)));
      samples.push({
        hydrated_ms: Math.round(hydratedMs),
        editor_ms: editorMs === null ? null : Math.round(editorMs),
        opening_bytes: sum(opening),
        background_bytes: sum(all.filter((r) => background.has(fileOf(r.url)))),
        files: opening.map((r) => ({ file: fileOf(r.url), encoding: r.encoding, bytes: r.bytes })),
      });

      await context.close();
    }
    const first = samples[0];
    profiles.push({
      profile: profile.name,
      runs,
      hydrated_ms_median: median(samples.map((s) => s.hydrated_ms)),
      hydrated_ms: samples.map((s) => s.hydrated_ms),
      editor_ms_median: samples[0].editor_ms === null ? null : median(samples.map((s) => s.editor_ms)),
      editor_ms: samples.map((s) => s.editor_ms),
      opening_bytes_median: median(samples.map((s) => s.opening_bytes)),
      background_bytes_median: median(samples.map((s) => s.background_bytes)),
      ...(profile.bps < 0 ? { opening_files: first.files } : {}),
    });
  }

  // The second visit: a fresh context visits once with the cache on, then again.
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const [name, value] = cookie.split('=');
  await context.addCookies([{ name, value, url: base }]);
  await context.addInitScript(HYDRATED);
  const page = await context.newPage();
  const rec = await recorder(page);
  await visit(page, url);
  rec.reset();
  const [again] = await visit(page, url);
  const rs = rec.requests();
  const code = rs.filter((r) => /\.(js|wasm)$/.test(fileOf(r.url)));
  const fetched = code.filter((r) => !r.fromCache);
  second = {
    hydrated_ms: Math.round(again),
    bytes_on_wire: sum(rs.filter((r) => !r.fromCache)),
    js_wasm_from_cache: code.length - fetched.length,
    js_wasm_from_network: fetched.map((r) => ({ file: fileOf(r.url), status: r.status, bytes: r.bytes })),
    network_requests: rs.filter((r) => !r.fromCache).map((r) => ({ file: fileOf(r.url), status: r.status, bytes: r.bytes })),
  };
  await context.close();
  if (code.length === 0) throw new Error('second visit: no .js/.wasm request seen at all');
  if (fetched.length) throw new Error(`second visit downloaded code again: ${JSON.stringify(fetched)}`);
  return { profiles, second_visit: second };
}
