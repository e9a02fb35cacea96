// Closed-loop publishing through the host API's batch endpoint (POST /internal/v1/events/batch):
// `events` events in requests of `batchSize`, `concurrency` requests in flight, within a deadline.
import { Pool } from 'undici';
import { nowMs, pct } from './load.mjs';

/** Resolves to accepted / refused entries, failed requests, rates and request times (ms). */
export async function publishInBatches({
  url,
  token,
  conversationId,
  events,
  batchSize = 500,
  concurrency = 4,
  deadlineMs = Infinity,
}) {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const entry = { type: 'conversation.ready', conversation_id: conversationId };
  const bodyOf = (size) => JSON.stringify({ events: Array.from({ length: size }, () => entry) });
  const fullBody = bodyOf(batchSize);
  let next = 0;
  let accepted = 0;
  let refused = 0;
  let failedRequests = 0;
  let firstError;
  const requestMs = [];
  const startedAt = nowMs();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < events && nowMs() - startedAt < deadlineMs) {
        const size = Math.min(batchSize, events - next);
        next += size;
        const sentAt = nowMs();
        try {
          const res = await pool.request({
            path: '/internal/v1/events/batch',
            method: 'POST',
            headers,
            body: size === batchSize ? fullBody : bodyOf(size),
          });
          const text = await res.body.text();
          if (res.statusCode !== 202) {
            failedRequests++;
            firstError ??= `${res.statusCode} ${text.slice(0, 200)}`;
            continue;
          }
          requestMs.push(nowMs() - sentAt);
          for (const answer of JSON.parse(text).data) {
            if (answer.error) {
              refused++;
              firstError ??= JSON.stringify(answer.error).slice(0, 200);
            } else accepted++;
          }
        } catch (error) {
          failedRequests++;
          firstError ??= String(error.message ?? error);
        }
      }
    }),
  );
  const seconds = (nowMs() - startedAt) / 1000;
  await pool.close();
  requestMs.sort((a, b) => a - b);
  return {
    requested: events,
    accepted,
    refused,
    failedRequests,
    firstError,
    batchSize,
    concurrency,
    requests: requestMs.length,
    seconds,
    perSecond: Math.round(accepted / seconds),
    requestMs: { p50: pct(requestMs, 50), p99: pct(requestMs, 99) },
  };
}
