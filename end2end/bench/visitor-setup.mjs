// Visitor benchmark, step 1: a fresh organisation whose published home page is a realistic
// 10-30 KB document (the starter blocks, repeated until the HTML reaches BENCH_PAGE_BYTES).
// Prints {"subdomain": ..., "bytes": ...}. Run through scripts/bench-visitor.sh.
import { apiClient, signUpFresh } from './lib.mjs';

const BASE = process.env.SITEPILOT_BASE_URL;
if (!BASE) throw new Error('SITEPILOT_BASE_URL is not set (scripts/bench-visitor.sh sets it)');
const TARGET = Number(process.env.BENCH_PAGE_BYTES || 20_000);

const api = apiClient(BASE);
const site = await signUpFresh(api, 'visitor-bench', { verify: true });
const pageId = site.pages.find((p) => p.slug === '/')?.id ?? site.pages[0].id;
const data = await api.call('builder/load', { page_id: pageId }, true);
const templates = data.components.map((c) => c.block);
let revision = data.revision;
let after = data.components.at(-1).id;

async function publishedBytes() {
  await api.call('websites/publish', { website_id: site.id });
  const res = await fetch(`${BASE}/sites/${site.subdomain}/`);
  if (res.status !== 200) throw new Error(`published page answered ${res.status}`);
  return (await res.arrayBuffer()).byteLength;
}

let bytes = await publishedBytes();
for (let i = 0; bytes < TARGET; i++) {
  if (i > 200) throw new Error(`the page did not reach ${TARGET} bytes (stuck at ${bytes})`);
  const id = crypto.randomUUID();
  const block = templates[i % templates.length];
  const ack = await api.call('builder/insert', { page_id: pageId, block: { id, block, is_visible: true, is_locked: false }, after, base_revision: revision });
  revision = ack.revision;
  after = id;
  if (i % templates.length === templates.length - 1) bytes = await publishedBytes();
}
console.log(JSON.stringify({ subdomain: site.subdomain, bytes }));
