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
// is open (the inspector's form and the side panels, app/src/ui/builder/lazy_panels.rs). It then uses
// those parts (selects a block, opens every side panel) and reports anything that still had to
// be downloaded as `on_first_use`, and the sum as `whole_session`.
// With BUNDLE_ROUTE=dashboard it measures the dashboard instead (to see the chunks load there).
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { apiClient, signUpFresh } from './lib.mjs';

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
  }
  console.log(JSON.stringify(report, null, 2));
} finally {
  await browser.close();
}
