// A PostgreSQL deployment as docs/operations.md describes it: two api and two worker processes.
// Load goes through both api processes, one worker is killed mid-load: nothing accepted is lost,
// both workers did work, and each process's /metrics shows its own share of the intake and attempts.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretBox } from '../src/domain/secrets.ts';
import { publishEvents } from './engine/support/process.ts';
import { createReceiver, type Receiver, waitFor } from './engine/support/receiver.ts';
import { type ServerProcess, startServer } from './support/cli-process.ts';
import { openTestDatabase, type TestDatabase } from './support/databases.ts';
import { insertConversation, insertUser, insertWebhook } from './support/fixtures.ts';

const INGEST = 'scaled-out-ingest-token-0123456789';
const EVENTS_PER_API = 300;
const WORKER_CONCURRENCY = 16;
const skip = !process.env.TEST_DATABASE_URL;

/** Sums the samples of a metric whose labels contain every `label="value"` given. */
async function metric(url: string, name: string, labels: string[] = []): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (labels.every((label) => line.includes(label))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

const succeeded = (url: string) => metric(url, 'klang_delivery_attempts_total', ['outcome="succeeded"']);

describe.skipIf(skip)(
  skip ? '2 api + 2 workers on postgres (skipped: set TEST_DATABASE_URL)' : '2 api + 2 workers on postgres',
  () => {
    const cleanups: (() => Promise<unknown>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    it('shares the load, survives a killed worker, and every process reports its own share', async () => {
      const database: TestDatabase = await openTestDatabase('postgres');
      cleanups.push(() => database.dispose());
      const key = randomBytes(32);
      const receiver: Receiver = await createReceiver();
      cleanups.push(() => receiver.close());
      const seen = new Map<string, number>();
      receiver.respond((request, res) => {
        const pair = `${request.path} ${request.headers['webhook-id']}`;
        seen.set(pair, (seen.get(pair) ?? 0) + 1);
        setTimeout(() => res.writeHead(200).end(), 3);
      });
      const owner = await insertUser(database.db, 'pro');
      const conversation = await insertConversation(database.db, owner);
      const box = createSecretBox(key);
      const hooks = [
        await insertWebhook(database.db, box, owner, { url: `${receiver.url}/a` }),
        await insertWebhook(database.db, box, owner, { url: `${receiver.url}/b` }),
      ];
      const cwd = mkdtempSync(join(tmpdir(), 'klang-scaled-'));
      cleanups.push(async () => rmSync(cwd, { recursive: true, force: true }));
      const env = {
        KLANG_DATABASE_URL: database.url,
        KLANG_SECRET_KEY: key.toString('hex'),
        KLANG_INGEST_TOKEN: INGEST,
        KLANG_ALLOW_PRIVATE_TARGETS: 'true',
        KLANG_PORT: '0',
        KLANG_LEASE: '2s',
        KLANG_WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
      };
      const start = async (role: 'api' | 'worker') => {
        const server: ServerProcess = startServer(
          ['serve', '--role', role],
          role === 'worker' ? { ...env, KLANG_METRICS_PORT: '0' } : env,
          cwd,
        );
        cleanups.push(async () => {
          if (server.child.exitCode === null) server.child.kill('SIGKILL');
          await server.exited;
        });
        const pattern = role === 'api' ? /running at (http:\/\/\S+)/ : /Health and metrics at (http:\/\/\S+)/;
        const [, url] = await server.waitForOutput(pattern);
        return { server, url: url! };
      };
      const [api1, api2, workerA, workerB] = await Promise.all([
        start('api'),
        start('api'),
        start('worker'),
        start('worker'),
      ]);

      // Worker A is killed once both workers have made attempts and part of the load is in.
      let killedAfter = -1;
      const watch = (async () => {
        await waitFor(
          async () =>
            seen.size >= EVENTS_PER_API &&
            (await succeeded(workerA.url)) > 0 &&
            (await succeeded(workerB.url)) > 0,
          30_000,
          'both workers at work',
        );
        killedAfter = await succeeded(workerA.url);
        workerA.server.child.kill('SIGKILL');
        await workerA.server.exited;
      })();
      const load = (url: string) =>
        publishEvents({
          url,
          token: INGEST,
          conversationIds: [conversation],
          count: EVENTS_PER_API,
          concurrency: 4,
        });
      const [first, second] = await Promise.all([load(api1.url), load(api2.url)]);
      await watch;
      expect(killedAfter).toBeGreaterThan(0);
      expect(first.accepted).toHaveLength(EVENTS_PER_API);
      expect(second.accepted).toHaveLength(EVENTS_PER_API);

      // Nothing lost: every accepted event reached both webhooks (worker B took A's leases over).
      const accepted = [...first.accepted, ...second.accepted];
      await waitFor(
        () => accepted.every((id) => seen.has(`/a ${id}`) && seen.has(`/b ${id}`)),
        60_000,
        'every accepted event at both webhooks',
      );
      // Deliveries A sent but never recorded are sent again by B once A's lease expires.
      const hookIds = hooks.map((hook) => hook.id);
      const byStatus = async () =>
        (
          await database.db
            .selectFrom('deliveries')
            .select(({ fn }) => ['status', fn.countAll<string>().as('n')])
            .where('webhook_id', 'in', hookIds)
            .groupBy('status')
            .execute()
        ).map((row) => [row.status, Number(row.n)]);
      await waitFor(async () => (await byStatus()).length === 1, 30_000, 'every delivery settled');
      expect(await byStatus()).toEqual([['succeeded', accepted.length * 2]]);

      // Each api counts the events it accepted, and makes no attempts; each worker counts its own.
      for (const [api, load] of [
        [api1, first],
        [api2, second],
      ] as const) {
        expect(await metric(api.url, 'klang_events_published_total')).toBe(load.accepted.length);
        expect(
          await metric(api.url, 'klang_http_requests_total', ['route="/internal/v1/events"', 'status="202"']),
        ).toBe(load.accepted.length);
        expect(await metric(api.url, 'klang_delivery_attempts_total')).toBe(0);
      }
      const stored = Number(
        (
          await database.db
            .selectFrom('attempts')
            .select(({ fn }) => fn.countAll<string>().as('n'))
            .where('outcome', '=', 'succeeded')
            .executeTakeFirstOrThrow()
        ).n,
      );
      const byB = await succeeded(workerB.url);
      expect(byB).toBeGreaterThan(0);
      expect(await metric(workerB.url, 'klang_events_published_total')).toBe(0);
      // A's count was read just before the kill; what it recorded after that is bounded by its concurrency.
      expect(killedAfter + byB).toBeLessThanOrEqual(stored);
      expect(stored - (killedAfter + byB)).toBeLessThanOrEqual(2 * WORKER_CONCURRENCY);
      console.info(
        `scaled out: ${accepted.length} events, ${stored} attempts stored; worker A ${killedAfter} (killed), worker B ${byB}`,
      );

      for (const process of [workerB, api1, api2]) {
        process.server.child.kill('SIGTERM');
        expect(await process.server.exited).toBe(0);
      }
    }, 120_000);
  },
);
