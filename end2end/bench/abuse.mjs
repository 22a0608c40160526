// The abuse flood (issue 15): beacon events and concurrent failed log-ins against one running
// server, while /healthz is asked back to back. Prints one JSON object: what was sent, how the
// server answered, and the /healthz latencies during the flood.
//   node bench/abuse.mjs BASE SUBDOMAIN EVENTS LOGINS [BEACON_CONCURRENCY]
// The server must trust 127.0.0.1 as a proxy (SITEPILOT_TRUSTED_PROXIES), so each simulated
// visitor's X-Forwarded-For address is its client address.
import { median, quantile } from './lib.mjs';

const [base, subdomain, eventsArg, loginsArg, concurrencyArg] = process.argv.slice(2);
const EVENTS = Number(eventsArg ?? 10000);
const LOGINS = Number(loginsArg ?? 300);
const CONCURRENCY = Number(concurrencyArg ?? 64);
// Each simulated visitor address sends this many events (under the 120/min per-address limit).
const EVENTS_PER_ADDRESS = 40;
const origin = new URL(base).origin;

const count = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);
const addr = (n) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
const agents = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0',
];

async function beacon(i) {
  const res = await fetch(`${base}/_sp/event`, {
    method: 'POST',
    headers: {
      'content-type': 'text/plain;charset=UTF-8',
      origin,
      'x-forwarded-for': addr(Math.floor(i / EVENTS_PER_ADDRESS)),
      // A new User-Agent per event: the rotation that used to inflate unique visitors.
      'user-agent': `${agents[i % agents.length]} r${i}`,
    },
    body: JSON.stringify({ p: `/sites/${subdomain}/`, r: `https://ref${i}.example/` }),
  });
  await res.arrayBuffer();
  return res.status;
}

async function login(i) {
  const started = performance.now();
  const res = await fetch(`${base}/api/login`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      origin,
      // One address per attempt, so the per-address limit does not hide the password work.
      'x-forwarded-for': addr(1_000_000 + i),
    },
    body: new URLSearchParams({ email: `nobody-${i}-${Date.now()}@bench.test`, password: `wrong-password-${i}` }),
  });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
}

/** Runs `task(i)` for i < n with at most `limit` in flight. */
async function pool(n, limit, task) {
  const results = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      results[i] = await task(i).catch((e) => `error: ${e.cause?.code ?? e.message}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  return results;
}

let flooding = true;
const health = [];
const healthStatus = new Map();
const prober = (async () => {
  while (flooding) {
    const started = performance.now();
    try {
      const res = await fetch(`${base}/healthz`);
      await res.arrayBuffer();
      count(healthStatus, res.status);
    } catch (e) {
      count(healthStatus, `error: ${e.cause?.code ?? e.message}`);
    }
    health.push(performance.now() - started);
  }
})();

const started = performance.now();
const [beacons, logins] = await Promise.all([
  pool(EVENTS, CONCURRENCY, beacon),
  // All log-ins at once: the burst the argon2 semaphore must absorb.
  pool(LOGINS, LOGINS, login),
]);
const floodMs = performance.now() - started;
flooding = false;
await prober;

const beaconStatus = new Map();
beacons.forEach((s) => count(beaconStatus, s));
const loginStatus = new Map();
logins.forEach((r) => count(loginStatus, typeof r === 'object' ? r.status : r));
const loginMs = logins.filter((r) => typeof r === 'object').map((r) => r.ms);
const round = (x) => +x.toFixed(2);

console.log(
  JSON.stringify(
    {
      flood_seconds: round(floodMs / 1000),
      beacon: { sent: EVENTS, concurrency: CONCURRENCY, addresses: Math.ceil(EVENTS / EVENTS_PER_ADDRESS), statuses: Object.fromEntries(beaconStatus) },
      login: {
        sent: LOGINS,
        statuses: Object.fromEntries(loginStatus),
        ms: { median: round(median(loginMs)), p99: round(quantile(loginMs, 0.99)), max: round(Math.max(...loginMs)) },
      },
      healthz: {
        requests: health.length,
        statuses: Object.fromEntries(healthStatus),
        ms: { median: round(median(health)), p99: round(quantile(health, 0.99)), max: round(Math.max(...health)) },
      },
    },
    null,
    2,
  ),
);
