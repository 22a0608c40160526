// Realtime benchmark (issue 21): BENCH_CLIENTS (200) event streams (`GET /events`) open on one
// server instance for one builder page, then BENCH_EDITS (30) block saves, one after another.
// For every save and every client: the time from sending the save until that client has read
// the save's `page` event (the revision the save answered). Run it through
// scripts/bench-realtime.sh, which starts the server and passes its address and pid.
// Prints JSON: latency median/p95/p99/max over clients x edits, events missed, and the server's
// resident memory before and with the streams open (per connection).
import fs from 'node:fs';
import { apiClient, median, quantile, signUpFresh } from './lib.mjs';

const BASE = process.env.SITEPILOT_BASE_URL;
const PID = process.env.BENCH_SERVER_PID;
if (!BASE || !PID) throw new Error('SITEPILOT_BASE_URL and BENCH_SERVER_PID are set by scripts/bench-realtime.sh');
const CLIENTS = Number(process.env.BENCH_CLIENTS || 200);
const EDITS = Number(process.env.BENCH_EDITS || 30);

const rssKib = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${PID}/status`, 'utf8'))[1]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const api = apiClient(BASE);
const site = await signUpFresh(api, 'realtime');
const pageId = site.pages[0].id;
let data = await api.call('builder/load', { page_id: pageId }, true);
let revision = data.revision;
const hero = data.components.find((c) => c.block.type === 'hero');

await sleep(500);
const rssBefore = rssKib();

// revision -> client index -> arrival time (performance.now())
const arrivals = new Map();
let hellos = 0;
const controllers = [];
async function client(i) {
  const ctrl = new AbortController();
  controllers.push(ctrl);
  const res = await fetch(`${BASE}/events?page=${pageId}&tab=${crypto.randomUUID()}`, {
    headers: { cookie: api.cookie(), accept: 'text/event-stream' },
    signal: ctrl.signal,
  });
  if (res.status !== 200) throw new Error(`stream ${i}: ${res.status}`);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const name = /^event: ?(.*)$/m.exec(block)?.[1];
        const payload = /^data: ?(.*)$/m.exec(block)?.[1];
        if (name === 'hello') hellos++;
        if (name === 'page' && payload) {
          const t = performance.now();
          const ev = JSON.parse(payload);
          if (!arrivals.has(ev.revision)) arrivals.set(ev.revision, new Map());
          arrivals.get(ev.revision).set(i, t);
        }
      }
    }
  } catch (e) {
    if (e.name !== 'AbortError') throw e;
  }
}
const running = Array.from({ length: CLIENTS }, (_, i) => client(i));
const openDeadline = Date.now() + 30_000;
while (hellos < CLIENTS) {
  if (Date.now() > openDeadline) throw new Error(`only ${hellos} of ${CLIENTS} streams opened`);
  await sleep(20);
}
await sleep(1000);
const rssOpen = rssKib();

// The edits, one after another; each waits until every client has its event (or 5 s).
const latencies = [];
let missed = 0;
for (let e = 0; e < EDITS; e++) {
  const block = structuredClone(hero.block);
  block.props.heading = `Realtime sample ${e}`;
  const t0 = performance.now();
  const ack = await api.call('builder/update', { page_id: pageId, component_id: hero.id, block, base_revision: revision });
  revision = ack.revision;
  const deadline = Date.now() + 5_000;
  while ((arrivals.get(revision)?.size ?? 0) < CLIENTS && Date.now() < deadline) await sleep(2);
  const got = arrivals.get(revision) ?? new Map();
  missed += CLIENTS - got.size;
  for (const t of got.values()) latencies.push(t - t0);
}
const rssAfter = rssKib();
for (const c of controllers) c.abort();
await Promise.allSettled(running);

const r = (x) => +x.toFixed(2);
const out = {
  clients: CLIENTS,
  edits: EDITS,
  deliveries: latencies.length,
  missed,
  latency_ms: { median: r(median(latencies)), p95: r(quantile(latencies, 0.95)), p99: r(quantile(latencies, 0.99)), max: r(Math.max(...latencies)) },
  server_rss_kib: { before: rssBefore, streams_open: rssOpen, after_edits: rssAfter },
  rss_per_stream_kib: r((rssOpen - rssBefore) / CLIENTS),
};
console.log(JSON.stringify(out, null, 2));
console.error(`\n${CLIENTS} streams, ${EDITS} edits: p99 ${out.latency_ms.p99} ms (target 100 ms: ${out.latency_ms.p99 <= 100 ? 'met' : 'NOT met'}), ` +
  `median ${out.latency_ms.median} ms, ${missed} missed; server memory ${out.rss_per_stream_kib} KiB per open stream`);
if (missed > 0) process.exit(1);
