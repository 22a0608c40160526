// What the builder route really downloads (against the opening-download budget). Run it through
// scripts/bundle-size.sh, which builds the release site, starts a server and passes its address.
//
// Signs up a fresh organisation, opens its home page in the builder in Chromium, waits until the
// page has hydrated and the network is idle, and records every JavaScript and WebAssembly response
// (the entry JS, the main WASM, wasm-split's loader and any lazily loaded chunk). Each body is
// recompressed with gzip -9 (zlib level 9), so the number does not depend on how the server
// compresses. Prints one JSON object: the files, their raw and gzip -9 sizes, and the totals.
// On the builder the total is split in two using wasm-split's manifest: `opening` is what the
// page needs to show and hydrate, `background` the chunks the builder fetches on its own once it
// is open (the editor with the inspector and the side panels, app/src/ui/builder/editor_chunk.rs). It then uses
// those parts (selects a block, opens every side panel) and reports anything that still had to
// be downloaded as `on_first_use`, and the sum as `whole_session`.
// With BUNDLE_ROUTE=dashboard it measures the dashboard instead (to see the chunks load there).
//
// Then (`wire`, see wire.mjs) the bytes really sent (`encodedDataLength`, brotli negotiated)
// and the time to `data-hydrated` at three network profiles, `BUNDLE_RUNS` cold visits each
// (default 3, medians reported), and a second visit that must download no .js or .wasm.
// With BUNDLE_SITE_PKG (the built target/site/pkg) it also lists every built file with its
// gzip -9 and brotli-11 sizes and the sizes of the .br/.gz copies the server sends.
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants as zc, gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { apiClient, signUpFresh } from './lib.mjs';
import { measureWire } from './wire.mjs';

const BASE = process.env.SITEPILOT_BASE_URL;
if (!BASE) throw new Error('SITEPILOT_BASE_URL is not set (scripts/bundle-size.sh sets it)');
const ROUTE = process.env.BUNDLE_ROUTE || 'builder';

const api = apiClient(BASE);
const site = await signUpFresh(api, 'bundle');
const path = ROUTE === 'builder' ? `/builder/${site.pages[0].id}` : `/${ROUTE}`;

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
});
async function collect(list) {
  const files = await Promise.all(list);
  const bad = files.filter((f) => f.status !== 200);
  if (bad.length) throw new Error(`non-200 responses: ${JSON.stringify(bad)}`);
  return files;
}

function totals(files) {
  const sum = (key, pred = () => true) => files.filter(pred).reduce((n, f) => n + f[key], 0);
  return {
    total: { bytes: sum('bytes'), gzip9: sum('gzip9') },
    js_gzip9: sum('gzip9', (f) => f.file.endsWith('.js')),
    wasm_gzip9: sum('gzip9', (f) => f.file.endsWith('.wasm')),
    total_gzip9_kib: +(sum('gzip9') / 1024).toFixed(1),
  };
}

/** Every .js/.wasm/.css/.json under `dir`: raw, gzip -9, brotli-11, and the served copies. */
function builtFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(js|wasm|css|json)$/.test(f)) {
        const body = readFileSync(p);
        const size = (q) => (existsSync(q) ? statSync(q).size : null);
        out.push({
          file: p.slice(dir.length + 1),
          bytes: body.length,
          gzip9: gzipSync(body, { level: 9 }).length,
          brotli11: brotliCompressSync(body, { params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_SIZE_HINT]: body.length } }).length,
          served_br: size(`${p}.br`),
          served_gz: size(`${p}.gz`),
        });
      }
    }
  };
  walk(dir);
  return out;
}

try {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const [name, value] = api.cookie().split('=');
  await context.addCookies([{ name, value, url: BASE }]);
  const page = await context.newPage();
  const pending = [];
  page.on('response', (res) => {
    const url = new URL(res.url());
    if (!/\.(js|wasm)$/.test(url.pathname)) return;
    pending.push(res.body().then((body) => ({
      file: url.pathname,
      status: res.status(),
      bytes: body.length,
      gzip9: gzipSync(body, { level: 9 }).length,
    })));
  });
  await page.goto(`${BASE}${path}`);
  await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 120_000 });
  await page.waitForLoadState('networkidle');
  const files = await collect(pending.splice(0));
  if (!files.some((f) => f.file.endsWith('.wasm'))) throw new Error('no WASM was downloaded');
  const report = { route: path.startsWith('/builder/') ? '/builder/:page_id' : path, files, ...totals(files) };

  if (ROUTE === 'builder') {
    // The builder's own split points are named sp_*; every file one of them needs is background.
    const manifest = await (await fetch(`${BASE}/pkg/__wasm_split_manifest.json`)).json();
    const background = new Set(Object.entries(manifest)
      .filter(([name]) => name.startsWith('sp_'))
      .flatMap(([, chunks]) => chunks.map((c) => `/pkg/${c}.wasm`)));
    if (background.size === 0) throw new Error('the split manifest names no sp_* split points');
    report.opening = totals(files.filter((f) => !background.has(f.file)));
    report.background = totals(files.filter((f) => background.has(f.file)));

    // Everything the builder loads lazily: the inspector's form and the four other panels.
    const canvas = page.getByRole('main', { name: 'Canvas' });
    await canvas.getByRole('listitem', { name: 'Hero block' }).click();
    await page.getByRole('complementary', { name: 'Inspector' }).getByLabel('Heading', { exact: true }).waitFor();
    const panels = page.getByRole('tablist', { name: 'Builder panels' });
    for (const [tab, heading] of [['Pages', 'Pages'], ['Branding', 'Branding'], ['Versions', 'Versions'], ['Deployments', 'Deployments']]) {
      await panels.getByRole('tab', { name: tab }).click();
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
    }
    await page.waitForLoadState('networkidle');
    const later = await collect(pending.splice(0));
    report.on_first_use = { files: later, ...totals(later) };
    report.whole_session = totals([...files, ...later]);

    report.wire = await measureWire({
      browser,
      base: BASE,
      url: `${BASE}${path}`,
      cookie: api.cookie(),
      background,
      runs: Number(process.env.BUNDLE_RUNS || 3),
    });
    const opening = report.wire.profiles.map((p) => `${p.profile}: ${p.hydrated_ms_median} ms`).join(', ');
    report.wire.summary = {
      opening_bytes_on_wire: report.wire.profiles[0].opening_bytes_median,
      opening_target_bytes: 520_000,
      time_to_hydrated_median: opening,
      interactive_target_ms_at_9mbps: 800,
      second_visit_js_wasm_from_network: report.wire.second_visit.js_wasm_from_network.length,
    };
  }
  const pkg = process.env.BUNDLE_SITE_PKG;
  if (pkg) report.built_files = builtFiles(pkg);
  console.log(JSON.stringify(report, null, 2));
} finally {
  await browser.close();
}
