// `query-p99`: the owner's read API over a long history. One webhook gets a real delivery, the
// service stops, seed-attempts.mjs copies it to `--query-attempts` (1,000,000) attempts in SQL, and a
// fresh `--role all` process answers ~300 sequential requests each of GET …/stats and GET …/attempts.
import { statSync } from 'node:fs';
import { Pool } from 'undici';
import { processFigures, round, withSqliteFile } from './deployments.mjs';
import {
  nowMs,
  pct,
  publishAsFastAsPossible,
  receiverControl,
  setupAccount,
  waitForDeliveries,
} from './load.mjs';
import { procStats } from './processes.mjs';
import { seedAttempts } from './seed-attempts.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `warmup` then `count` sequential GETs of `path` on one keep-alive connection; times in ms. */
async function timeGets(pool, path, token, { count, warmup }) {
  const headers = { authorization: `Bearer ${token}` };
  const times = [];
  let last;
  for (let i = 0; i < warmup + count; i++) {
    const t0 = nowMs();
    const res = await pool.request({ path, method: 'GET', headers });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`GET ${path} → ${res.statusCode} ${text.slice(0, 200)}`);
    if (i >= warmup) times.push(nowMs() - t0);
    last = text;
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return {
    n: times.length,
    p50: pct(times, 50),
    p95: pct(times, 95),
    p99: pct(times, 99),
    max: pct(times, 100),
    mean: round(mean, 2),
    body: JSON.parse(last),
  };
}

export const scenarioQueryP99 = (opts) =>
  withSqliteFile(opts, async ({ env, file, start, stop }) => {
    const port = opts.ports[0];
    const setup = await start('all');
    const account = await setupAccount({ url: setup.url, env, ports: [port] });
    const [webhookId] = account.webhookIds;
    const pool = (url) => new Pool(url, { connections: 1, pipelining: 1 });
    // One real delivery: its event, delivery and attempt rows are the template of the history.
    await receiverControl(port, '/__reset');
    await publishAsFastAsPossible({
      url: setup.url,
      token: env.KLANG_INGEST_TOKEN,
      conversationId: account.conversationId,
      events: 1,
      concurrency: 1,
    });
    await waitForDeliveries(port, 1, { deadlineMs: 10_000 });
    const setupPool = pool(setup.url);
    for (let i = 0; i < 50; i++) {
      const page = await timeGets(setupPool, `/api/v1/webhooks/${webhookId}/attempts`, account.apiToken, {
        count: 1,
        warmup: 0,
      });
      if (page.body.data.length > 0) break;
      await sleep(100);
    }
    await setupPool.close();
    await stop(setup);
    await receiverControl(port, '/__reset');

    const seeded = seedAttempts(file, { count: opts.queryAttempts });
    // The measurement makes more requests than the default per-user limit allows in a minute.
    const service = await start('all', { KLANG_RATE_LIMIT: '1000000' });
    const before = [procStats(service.child.pid)];
    const client = pool(service.url);
    const counts = { count: opts.queryRequests, warmup: 20 };
    const startedAt = nowMs();
    const stats = await timeGets(client, `/api/v1/webhooks/${webhookId}/stats`, account.apiToken, counts);
    const attempts = await timeGets(
      client,
      `/api/v1/webhooks/${webhookId}/attempts`,
      account.apiToken,
      counts,
    );
    const seconds = (nowMs() - startedAt) / 1000;
    await client.close();
    return {
      attemptsStored: seeded.counts.attempts,
      seed: { ...seeded, webhookId: undefined },
      databaseMiB: Math.round(statSync(file).size / 2 ** 20),
      requestsEach: opts.queryRequests,
      seconds: round(seconds, 2),
      stats: {
        ...stats,
        body: undefined,
        answered: { delivered: stats.body.delivered, failed: stats.body.failed },
      },
      attemptsPage: { ...attempts, body: undefined, items: attempts.body.data.length },
      processes: processFigures([service], before),
    };
  });
