// Builder benchmark on a page with 1,000 blocks. Run it through scripts/bench.sh,
// which builds the release site, starts a server on a fresh database and passes its address.
//
// Measures, each as a median over many samples (and p95), printed as JSON:
//   keystroke_to_canvas_ms  an input event in the inspector's Heading field until the canvas
//                           block's heading shows the new text (MutationObserver), in Chromium
//   keystroke_to_paint_ms   the same until the next animation frame (the frame that shows it)
//   reorder_persist_ms      Alt+ArrowDown on a block until the status line says "Saved" (the
//                           move request and its acknowledgement), in Chromium
//   move_request_ms         one /api/builder/move round trip from Node over loopback
//   autosave_request_ms     one /api/builder/autosave round trip (snapshot of 1,000 blocks)
import { chromium } from '@playwright/test';
import { apiClient, signUpFresh, summary } from './lib.mjs';

const BASE = process.env.SITEPILOT_BASE_URL;
if (!BASE) throw new Error('SITEPILOT_BASE_URL is not set (scripts/bench.sh sets it)');
const BLOCKS = Number(process.env.BENCH_BLOCKS || 1000);
const SAMPLES = Number(process.env.BENCH_SAMPLES || 60);

const api = apiClient(BASE);
const { call } = api;

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

// 1. A new organisation, and its home page grown to BLOCKS blocks (copies of the starter ones).
const site = await signUpFresh(api, 'bench');
const pageId = site.pages[0].id;
let data = await call('builder/load', { page_id: pageId }, true);
let revision = data.revision;
const templates = data.components.map((c) => c.block);
let after = data.components.at(-1).id;
const t0 = performance.now();
while (data.components.length + 0 < BLOCKS) {
  const id = crypto.randomUUID();
  const block = templates[data.components.length % templates.length];
  const ack = await call('builder/insert', { page_id: pageId, block: { id, block, is_visible: true, is_locked: false }, after, base_revision: revision });
  revision = ack.revision;
  after = id;
  data.components.push({ id, block });
}
const fillSeconds = (performance.now() - t0) / 1000;
data = await call('builder/load', { page_id: pageId }, true);
if (data.components.length !== BLOCKS) throw new Error(`expected ${BLOCKS} blocks, found ${data.components.length}`);
revision = data.revision;

// 2. Server round trips: move (one row) and autosave (snapshot of every block).
const moveMs = [];
const ids = data.components.map((c) => c.id);
for (let i = 0; i < SAMPLES; i++) {
  const id = ids[10 + (i % 50)];
  const target = ids[900 - (i % 50)];
  moveMs.push(await timed(async () => {
    const ack = await call('builder/move', { page_id: pageId, component_id: id, after: target, base_revision: revision });
    revision = ack.revision;
  }));
}
const autosaveMs = [];
const hero = data.components.find((c) => c.block.type === 'hero');
for (let i = 0; i < Math.min(SAMPLES, 30); i++) {
  const block = structuredClone(hero.block);
  block.props.heading = `Autosave sample ${i}`;
  const ack = await call('builder/update', { page_id: pageId, component_id: hero.id, block, base_revision: revision });
  revision = ack.revision;
  autosaveMs.push(await timed(() => call('builder/autosave', { page_id: pageId })));
}

// 3. The browser: keystroke to canvas, and a keyboard reorder until saved.
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
const [name, value] = api.cookie().split('=');
await context.addCookies([{ name, value, url: BASE }]);
const page = await context.newPage();
const tLoad = performance.now();
await page.goto(`${BASE}/builder/${pageId}`);
await page.locator('body[data-hydrated="true"]').waitFor({ timeout: 120_000 });
const openSeconds = (performance.now() - tLoad) / 1000;
// The editor arrives as a chunk after hydration and replaces the server's drawing of the canvas.
await page.locator('.builder[data-editor="ready"]').waitFor({ timeout: 120_000 });
const editorSeconds = (performance.now() - tLoad) / 1000;
const canvas = page.getByRole('main', { name: 'Canvas' });
const target = canvas.getByRole('listitem', { name: 'Hero block' }).nth(100);
await target.scrollIntoViewIfNeeded();
await target.click();
const field = page.getByRole('complementary', { name: 'Inspector' }).getByLabel('Heading', { exact: true });
await field.waitFor();
const keystrokes = await page.evaluate(async (samples) => {
  const input = document.querySelector('.builder-inspector input#prop-heading');
  const block = document.querySelector('.canvas-block.selected');
  const toCanvas = [];
  const toPaint = [];
  for (let i = 0; i < samples; i++) {
    const text = `${input.value}x`;
    const done = new Promise((resolve) => {
      const mo = new MutationObserver(() => {
        if (block.querySelector('h1')?.textContent === text) {
          mo.disconnect();
          resolve(performance.now());
        }
      });
      mo.observe(block, { subtree: true, childList: true, characterData: true });
    });
    const t0 = performance.now();
    input.value = text;
    input.dispatchEvent(new Event('input', { bubbles: true }));
    const t1 = await done;
    const t2 = await new Promise((r) => requestAnimationFrame(() => r(performance.now())));
    toCanvas.push(t1 - t0);
    toPaint.push(t2 - t0);
  }
  return { toCanvas, toPaint };
}, SAMPLES);
await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();

const reorder = [];
const moving = canvas.getByRole('listitem', { name: 'Features block' }).nth(150);
for (let i = 0; i < Math.min(SAMPLES, 30); i++) {
  await moving.focus();
  reorder.push(await page.evaluate((i) => new Promise((resolve) => {
    const status = document.querySelector('.save-state');
    const t0 = performance.now();
    let sawSaving = false;
    const mo = new MutationObserver(() => {
      if (status.textContent === 'Saving…') sawSaving = true;
      if (sawSaving && status.textContent === 'Saved') {
        mo.disconnect();
        resolve(performance.now() - t0);
      }
    });
    mo.observe(status, { subtree: true, childList: true, characterData: true });
    document.activeElement.dispatchEvent(new KeyboardEvent('keydown', { key: i % 2 ? 'ArrowUp' : 'ArrowDown', altKey: true, bubbles: true }));
  }), i));
}
await browser.close();

console.log(JSON.stringify({
  blocks: BLOCKS,
  fill_seconds: +fillSeconds.toFixed(1),
  builder_open_seconds: +openSeconds.toFixed(2),
  builder_editor_seconds: +editorSeconds.toFixed(2),
  keystroke_to_canvas_ms: summary(keystrokes.toCanvas),
  keystroke_to_paint_ms: summary(keystrokes.toPaint),
  reorder_persist_ms: summary(reorder),
  move_request_ms: summary(moveMs),
  autosave_request_ms: summary(autosaveMs),
}, null, 2));
