#!/usr/bin/env node
// Benchmark webhook receiver (own process): node:http keep-alive servers on N ports that answer 204
// (after an optional fixed delay), count requests and measure publish→delivery latency from the
// payload's `created_at`. Counters: GET /__stats; POST /__reset; POST /__config (see below).
//
//   node bench/receiver.mjs [--ports 4] [--base-port 0] [--delay-ms 0]
//
// Prints one JSON line {"ports":[…]} on stdout once listening. /__config accepts
// {secrets: {"<port>": "whsec_…"}, verifyEvery: N} (verify one request in N; off by default) and
// {recordIds: true} (keep "<webhook-id>@<port>" → [receive time, created_at], for the runner's join).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    ports: { type: 'string', default: '4' },
    'base-port': { type: 'string', default: '0' },
    'delay-ms': { type: 'string', default: '0' },
  },
});
const delayMs = Number(args['delay-ms']);
const nowMs = () => performance.timeOrigin + performance.now();
const CREATED = '"created_at":"';

let config = { secrets: {}, verifyEvery: 0, recordIds: false };
let stats;
function reset() {
  stats = {
    since: nowMs(),
    requests: 0,
    bytes: 0,
    perPort: {},
    latencies: [], // ms, created_at → received
    duplicates: 0,
    verified: 0,
    badSignatures: 0,
    first: 0,
    last: 0,
    timeline: [], // requests per 100 ms since reset
    seen: new Set(),
    received: {}, // "<webhook-id>@<port>" → [receive time, created_at] (only with recordIds)
  };
}
reset();

function verify(port, headers, body) {
  const secret = config.secrets[port];
  if (!secret) return;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`)
    .digest();
  const ok = String(headers['webhook-signature'] ?? '')
    .split(' ')
    .some((part) => {
      const sig = Buffer.from(part.replace(/^v1,/, ''), 'base64');
      return sig.length === expected.length && timingSafeEqual(sig, expected);
    });
  if (ok) stats.verified++;
  else stats.badSignatures++;
}

function record(port, headers, body) {
  const at = nowMs();
  stats.requests++;
  stats.bytes += body.length;
  stats.perPort[port] = (stats.perPort[port] ?? 0) + 1;
  if (stats.first === 0) stats.first = at;
  stats.last = at;
  const slot = Math.floor((at - stats.since) / 100);
  while (stats.timeline.length <= slot) stats.timeline.push(0);
  stats.timeline[slot]++;
  const id = headers['webhook-id'];
  if (id) {
    const key = `${port} ${id}`;
    if (stats.seen.has(key)) stats.duplicates++;
    else stats.seen.add(key);
  }
  const i = body.indexOf(CREATED);
  const created = i >= 0 ? Date.parse(body.slice(i + CREATED.length, i + CREATED.length + 24)) : Number.NaN;
  if (!Number.isNaN(created)) stats.latencies.push(at - created);
  if (id && config.recordIds) stats.received[`${id}@${port}`] = [at, created];
  if (config.verifyEvery > 0 && stats.requests % config.verifyEvery === 0) verify(port, headers, body);
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function snapshot(withIds, countsOnly) {
  if (countsOnly)
    return { requests: stats.requests, unique: stats.seen.size, first: stats.first, last: stats.last };
  const sorted = Float64Array.from(stats.latencies).sort();
  const round = (v) => (v === null ? null : Math.round(v * 100) / 100);
  return {
    requests: stats.requests,
    bytes: stats.bytes,
    perPort: stats.perPort,
    unique: stats.seen.size,
    duplicates: stats.duplicates,
    verified: stats.verified,
    badSignatures: stats.badSignatures,
    first: stats.first,
    last: stats.last,
    timeline: stats.timeline,
    latencyMs: {
      n: sorted.length,
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(percentile(sorted, 100)),
    },
    ...(withIds ? { received: stats.received } : {}),
  };
}

function send(res, status, body) {
  if (body === undefined) return res.writeHead(status).end();
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function control(req, res, body) {
  if (req.url.startsWith('/__stats'))
    return send(res, 200, snapshot(req.url.includes('ids=1'), req.url.includes('counts=1')));
  if (req.url === '/__reset') reset();
  else if (req.url === '/__config') config = { ...config, ...JSON.parse(body) };
  else return send(res, 404, { error: 'unknown control path' });
  send(res, 200, { ok: true });
}

function handle(port, req, res) {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0].toString() : Buffer.concat(chunks).toString();
    if (req.url.startsWith('/__')) return control(req, res, body);
    record(port, req.headers, body);
    if (delayMs > 0) setTimeout(() => send(res, 204), delayMs);
    else send(res, 204);
  });
}

const ports = [];
const base = Number(args['base-port']);
for (let i = 0; i < Number(args.ports); i++) {
  const server = createServer({ keepAliveTimeout: 60_000 });
  server.on('request', (req, res) => handle(server.address().port, req, res));
  await new Promise((resolve) => server.listen(base === 0 ? 0 : base + i, '127.0.0.1', resolve));
  ports.push(server.address().port);
}
process.stdout.write(`${JSON.stringify({ ports })}\n`);
process.on('SIGTERM', () => process.exit(0));
