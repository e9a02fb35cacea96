#!/usr/bin/env node
// The peer the service is compared with: a plain BullMQ + Redis webhook dispatcher as a Node
// developer would write it (one job per delivery, undici keep-alive pools, Standard Webhooks signing,
// a non-2xx answer throws so BullMQ retries with its backoff). One worker process.
//
//   node bench/peer-bullmq.mjs --queue NAME [--redis redis://127.0.0.1:6379] [--concurrency 50]
//
// Prints {"ready":true} once the worker listens. Job data: {url, secret, id, payload}.
import { createHmac } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Worker } from 'bullmq';
import IORedis from 'ioredis';
import { Agent } from 'undici';

const { values: args } = parseArgs({
  options: {
    queue: { type: 'string' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
    concurrency: { type: 'string', default: '50' },
  },
});
if (!args.queue) throw new Error('--queue is required');

const agent = new Agent({ connections: 64, pipelining: 1, headersTimeout: 10_000, bodyTimeout: 10_000 });
const connection = new IORedis(args.redis, { maxRetriesPerRequest: null });

function sign(secret, id, timestamp, body) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

async function deliver(job) {
  const { url, secret, id, payload } = job.data;
  const timestamp = Math.floor(Date.now() / 1000);
  const res = await agent.request({
    origin: new URL(url).origin,
    path: new URL(url).pathname,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign(secret, id, timestamp, payload),
    },
    body: payload,
  });
  await res.body.dump();
  if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode}`);
}

const worker = new Worker(args.queue, deliver, {
  connection,
  concurrency: Number(args.concurrency),
});
await worker.waitUntilReady();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);

async function shutdown() {
  await worker.close();
  await agent.close();
  connection.disconnect();
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
