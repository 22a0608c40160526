// Visitor benchmark, step 3: latency at a fixed request rate (wrk 4 has no rate control).
//   node fixed-rate.mjs URL HOST RATE SECONDS [ACCEPT_ENCODING]
// Requests are scheduled at exact intervals over keep-alive connections. Latency is taken from
// each request's scheduled start, so a stalled server cannot hide its queueing delay behind a
// paused load generator (coordinated omission). The first second is warm-up and not counted.
// Node's timers fire about once a millisecond, so a request may start up to ~1 ms late; that
// lateness counts against the server here (conservative), and service_* leaves it out.
// Prints JSON: achieved rate, errors, p50/p99/max latency in ms.
import http from 'node:http';
import { median, quantile } from './lib.mjs';

const [url, host, rateArg, secondsArg, acceptEncoding] = process.argv.slice(2);
if (!url || !host) throw new Error('usage: node fixed-rate.mjs URL HOST RATE SECONDS');
const rate = Number(rateArg || 1000);
const seconds = Number(secondsArg || 20);
const warmup = 1;
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

const latencies = [];
const service = [];
let errors = 0;
let done = 0;
const total = rate * (seconds + warmup);
const interval = 1000 / rate;
const start = performance.now();

function fire(i) {
  const due = start + i * interval;
  const sent = performance.now();
  const req = http.request(
    { host: target.hostname, port: target.port, path: target.pathname, agent, headers: { host, ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) } },
    (res) => {
      res.on('data', () => {});
      res.on('end', () => {
        if (res.statusCode !== 200) errors++;
        if (i >= rate * warmup) {
          const end = performance.now();
          latencies.push(end - due);
          service.push(end - sent);
        }
        finish();
      });
    },
  );
  req.on('error', () => { errors++; finish(); });
  req.end();
}

function finish() {
  if (++done === total) {
    const elapsed = (performance.now() - start) / 1000;
    console.log(JSON.stringify({
      rate_target: rate,
      rate_achieved: +(total / elapsed).toFixed(1),
      requests: total,
      errors,
      p50_ms: +median(latencies).toFixed(3),
      p99_ms: +quantile(latencies, 0.99).toFixed(3),
      max_ms: +Math.max(...latencies).toFixed(3),
      // From the moment the request was written, without the generator's own timer lateness.
      service_p50_ms: +median(service).toFixed(3),
      service_p99_ms: +quantile(service, 0.99).toFixed(3),
    }));
    agent.destroy();
  }
}

let next = 0;
function tick() {
  const now = performance.now();
  while (next < total && start + next * interval <= now) fire(next++);
  // A timer, never a spin: the generator shares the machine with the server under test.
  if (next < total) setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
}
tick();
