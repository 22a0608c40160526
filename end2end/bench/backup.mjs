// Backup benchmark (issue 20): a website of 50 pages × 40 blocks is imported as a new website,
// then exported, BENCH_RUNS times (5, within the Pro plan's website limit) against one release
// server; prints the medians as JSON.
// Time is measured here, on loopback, from the request to the last byte of the answer, so it is
// the server's time plus a local transfer: an upper bound on server time.
import { apiClient, median, signUpFresh } from './lib.mjs';

const base = process.env.SITEPILOT_BASE_URL;
const runs = Number(process.env.BENCH_RUNS ?? 5);
const api = apiClient(base);
const site = await signUpFresh(api, 'backup');
// Pro (local billing test mode): room for 50 pages and several websites.
await api.call('billing/test_change', { plan: 'pro', cycle: 'monthly', keep: [] });

// The new website's own export gives real blocks (the starter home page); the big site repeats
// them over 50 pages of 40 blocks.
const exportOf = async (id) => {
  const res = await fetch(`${base}/websites/${id}/export`, { headers: { cookie: api.cookie() } });
  if (res.status !== 200) throw new Error(`export answered ${res.status}`);
  return res.arrayBuffer();
};
const seed = JSON.parse(new TextDecoder().decode(await exportOf(site.id)));
const sample = seed.pages[0].blocks;
const pages = Array.from({ length: 50 }, (_, i) => ({
  title: `Page ${i}`,
  slug: i === 0 ? '/' : `/page-${i}`,
  status: 'published',
  show_in_nav: i < 8,
  blocks: Array.from({ length: 40 }, (_, j) => sample[(i + j) % sample.length]),
}));
const doc = JSON.stringify({ ...seed, website: { ...seed.website, name: 'Bench Bakery' }, pages });

const imports = [];
const exports = [];
let exportBytes = 0;
for (let r = 0; r < runs; r++) {
  let t = performance.now();
  const id = await api.call('websites/import', { name: '', subdomain: `bench-${Date.now()}-${r}`, document: doc });
  imports.push(performance.now() - t);
  t = performance.now();
  const body = await exportOf(id);
  exports.push(performance.now() - t);
  exportBytes = body.byteLength;
  const back = JSON.parse(new TextDecoder().decode(body));
  if (back.pages.length !== 50 || back.pages.some((p) => p.blocks.length !== 40)) throw new Error('the export lost pages or blocks');
}
console.log(JSON.stringify({
  pages: 50, blocks_per_page: 40, document_bytes: doc.length, export_bytes: exportBytes, runs,
  import_ms: { median: +median(imports).toFixed(1), all: imports.map((x) => +x.toFixed(1)) },
  export_ms: { median: +median(exports).toFixed(1), all: exports.map((x) => +x.toFixed(1)) },
}, null, 2));
