// Load generation and setup over HTTP (undici): the account, conversation and webhooks of a run,
// publishing closed-loop (as fast as accepted) or open-loop (fixed rate), the raw POST loop, and
// polling the receiver with a deadline.
import { createHmac, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool, request } from 'undici';
import { cli } from './processes.mjs';

export const nowMs = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function call(method, url, token, body) {
  const res = await request(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${url} → ${res.statusCode} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** A Pro user owning one conversation and `ports.length` webhooks, one per receiver port; its API token. */
export async function setupAccount({ url, env, ports }) {
  const ingest = env.KLANG_INGEST_TOKEN;
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
  const userId = `usr_bench_${randomBytes(4).toString('hex')}`;
  await call('PUT', `${url}/internal/v1/users/${userId}`, ingest, { email, plan: 'pro' });
  await call('PUT', `${url}/internal/v1/conversations/cnv_bench`, ingest, {
    owner_id: userId,
    title: 'Bench',
  });
  const apiToken = await cli(env, ['tokens', 'create', '--email', email, '--name', 'bench']);
  const secrets = {};
  const webhookIds = [];
  for (const port of ports) {
    const webhook = await call('POST', `${url}/api/v1/webhooks`, apiToken, {
      url: `http://127.0.0.1:${port}/`,
      events: ['conversation.ready'],
    });
    secrets[port] = webhook.secret;
    webhookIds.push(webhook.id);
  }
  return { conversationId: 'cnv_bench', secrets, webhookIds, apiToken };
}

function publisher(url, token, connections) {
  const pool = new Pool(url, { connections, pipelining: 1 });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    /** Publishes one event; resolves to {id, sentAt, ackAt} or {error}. */
    async publish(conversationId) {
      const sentAt = nowMs();
      try {
        const res = await pool.request({
          path: '/internal/v1/events',
          method: 'POST',
          headers,
          body: JSON.stringify({ type: 'conversation.ready', conversation_id: conversationId }),
        });
        const text = await res.body.text();
        if (res.statusCode !== 202) return { error: `${res.statusCode} ${text.slice(0, 200)}` };
        return { id: JSON.parse(text).id, sentAt, ackAt: nowMs() };
      } catch (error) {
        return { error: String(error.message ?? error) };
      }
    },
    close: () => pool.close(),
    destroy: () => pool.destroy(),
  };
}

function summarize(results, startedAt, endedAt) {
  const ok = results.filter((r) => !r.error);
  const acks = ok.map((r) => r.ackAt - r.sentAt).sort((a, b) => a - b);
  const errors = results.filter((r) => r.error);
  return {
    accepted: ok.length,
    errors: errors.length,
    firstError: errors[0]?.error,
    seconds: (endedAt - startedAt) / 1000,
    perSecond: Math.round(ok.length / ((endedAt - startedAt) / 1000)),
    ackMs: { p50: pct(acks, 50), p99: pct(acks, 99) },
    results: ok,
  };
}

/**
 * Closed loop: `events` publishes over `concurrency` connections, each sent when a slot frees;
 * stops early (fewer accepted) when `deadlineMs` passes.
 */
export async function publishAsFastAsPossible({
  url,
  token,
  conversationId,
  events,
  concurrency,
  deadlineMs = Infinity,
}) {
  const client = publisher(url, token, concurrency);
  const results = [];
  let next = 0;
  const startedAt = nowMs();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < events && nowMs() - startedAt < deadlineMs) {
        next++;
        results.push(await client.publish(conversationId));
      }
    }),
  );
  const endedAt = nowMs();
  await client.close();
  return summarize(results, startedAt, endedAt);
}

/**
 * Open loop: `rate` events per second for `seconds`, whatever the answers' latency. Answers still
 * missing `graceMs` after the last send are abandoned (counted as errors).
 */
export async function publishAtRate({ url, token, conversationId, rate, seconds, graceMs = 10_000 }) {
  const client = publisher(url, token, 64);
  const total = Math.round(rate * seconds);
  const pending = [];
  const startedAt = nowMs();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((nowMs() - startedAt) * rate) / 1000) + 1);
    for (; sent < due; sent++) pending.push(client.publish(conversationId));
    await sleep(1);
  }
  const gaveUp = sleep(graceMs).then(() => 'late');
  const results = await Promise.all(
    pending.map((p) => Promise.race([p, gaveUp.then(() => ({ error: 'no answer in time' }))])),
  );
  const endedAt = nowMs();
  await client.destroy();
  return summarize(results, startedAt, endedAt);
}

/** The ratio denominator: POST a ~1 KB JSON body at fixed concurrency, optionally HMAC-signed. */
export async function rawLoop({ port, concurrency = 64, seconds = 3, warmupSeconds = 0.5, sign = false }) {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: concurrency, pipelining: 1 });
  const body = JSON.stringify({ type: 'bench.raw', data: 'x'.repeat(960) });
  const key = randomBytes(32);
  let counting = false;
  let count = 0;
  let stopAt = nowMs() + (warmupSeconds + seconds) * 1000;
  const worker = async () => {
    while (nowMs() < stopAt) {
      const headers = { 'content-type': 'application/json' };
      if (sign) {
        const id = `msg_${count}`;
        const ts = Math.floor(Date.now() / 1000);
        headers['webhook-id'] = id;
        headers['webhook-timestamp'] = String(ts);
        headers['webhook-signature'] =
          `v1,${createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')}`;
      }
      const res = await pool.request({ path: '/raw', method: 'POST', headers, body });
      await res.body.dump();
      if (counting) count++;
    }
  };
  const running = Array.from({ length: concurrency }, worker);
  await sleep(warmupSeconds * 1000);
  counting = true;
  const startedAt = nowMs();
  stopAt = startedAt + seconds * 1000;
  await Promise.all(running);
  const elapsed = (nowMs() - startedAt) / 1000;
  await pool.close();
  return {
    requests: count,
    seconds: elapsed,
    perSecond: Math.round(count / elapsed),
    bodyBytes: body.length,
  };
}

/** The receiver's counters: 'counts' (cheap, for polling), 'full' (with latency) or 'ids'. */
export async function receiverStats(port, detail = 'full') {
  const res = await request(`http://127.0.0.1:${port}/__stats?${detail}=1`);
  return res.body.json();
}

export async function receiverControl(port, path, body = {}) {
  const res = await request(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  return res.body.json();
}

/** Polls until the receiver saw `expected` unique deliveries, or the deadline / a stall ends it. */
export async function waitForDeliveries(port, expected, { deadlineMs = 60_000, stallMs = 15_000 } = {}) {
  const deadline = nowMs() + deadlineMs;
  let last = -1;
  let lastChange = nowMs();
  for (;;) {
    const stats = await receiverStats(port, 'counts');
    if (stats.unique >= expected) return { ...stats, complete: true };
    if (stats.unique !== last) [last, lastChange] = [stats.unique, nowMs()];
    if (nowMs() > deadline || nowMs() - lastChange > stallMs) return { ...stats, complete: false };
    await sleep(200);
  }
}

export function pct(sorted, p) {
  if (sorted.length === 0) return null;
  const value = sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return Math.round(value * 100) / 100;
}
