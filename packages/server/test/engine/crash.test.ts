// Crash safety with real processes: kill -9 in the middle of a load of a few thousand events — the
// single process on SQLite, one of two worker processes on PostgreSQL. After restart every accepted
// event reaches every eligible webhook; duplicates are bounded by what was in flight at the kill.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { afterEach, expect, it } from 'vitest';
import { createSecretBox } from '../../src/domain/secrets.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { insertConversation, insertUser, insertWebhook, type WebhookFixture } from '../support/fixtures.ts';
import { publishEvents, type ServiceProcess, startService } from './support/process.ts';
import { createReceiver, type Receiver, waitFor } from './support/receiver.ts';

const EVENTS = 2_000;
const WORKER_CONCURRENCY = 32;
const TOKEN = 'crash-test-ingest-token-0123456789';

describeEachDatabase('crash safety (%s)', (kind) => {
  let database: TestDatabase;
  let target: Receiver;
  let dataDir: string;
  const processes: ServiceProcess[] = [];

  afterEach(async () => {
    for (const service of processes.splice(0)) if (service.child.exitCode === null) await service.kill9();
    await target?.close();
    await database?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function prepare() {
    database = await openTestDatabase(kind);
    dataDir = mkdtempSync(join(tmpdir(), 'klang-crash-'));
    const key = randomBytes(32);
    const box = createSecretBox(key);
    target = await createReceiver();
    const seen = new Map<string, number>();
    let verified = 0;
    const webhooks: WebhookFixture[] = [];
    target.respond((request, res) => {
      const pair = `${request.path} ${request.headers['webhook-id']}`;
      seen.set(pair, (seen.get(pair) ?? 0) + 1);
      if (seen.size % 50 === 0) {
        const index = Number(request.path.slice(2));
        new Webhook(webhooks[index]!.secret).verify(request.body, request.headers);
        verified++;
      }
      setTimeout(() => {
        res.writeHead(200);
        res.end();
      }, 5);
    });
    const { db } = database;
    const owner = await insertUser(db, 'pro');
    const member = await insertUser(db, 'team');
    const conversations = [
      await insertConversation(db, owner, { users: [member] }),
      await insertConversation(db, owner, { users: [member] }),
    ];
    webhooks.push(await insertWebhook(db, box, owner, { url: `${target.url}/w0` }));
    webhooks.push(await insertWebhook(db, box, member, { url: `${target.url}/w1` }));
    const env = {
      KLANG_DATABASE_URL: database.url,
      KLANG_DATA_DIR: dataDir,
      KLANG_SECRET_KEY: key.toString('hex'),
      KLANG_INGEST_TOKEN: TOKEN,
      KLANG_HOST: '127.0.0.1',
      KLANG_PORT: '0',
      KLANG_ALLOW_PRIVATE_TARGETS: 'true',
      KLANG_DEMO: 'false',
      KLANG_LOG_LEVEL: 'warn',
      KLANG_LEASE: '2s',
      KLANG_POLL_INTERVAL: '200ms',
      KLANG_RETRY_SCHEDULE: '100ms,200ms,400ms,800ms,1s,2s',
      KLANG_WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
    };
    return { env, conversations, seen, verifiedCount: () => verified };
  }

  async function start(env: Record<string, string>, role: 'all' | 'api' | 'worker') {
    const service = await startService(env, role);
    processes.push(service);
    return service;
  }

  /** Waits until every accepted event reached both webhooks and no delivery is left pending. */
  async function expectAllDelivered(accepted: string[], seen: Map<string, number>) {
    await waitFor(
      async () => {
        if (!accepted.every((id) => seen.has(`/w0 ${id}`) && seen.has(`/w1 ${id}`))) return false;
        const left = await database.db
          .selectFrom('deliveries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '!=', 'succeeded')
          .executeTakeFirstOrThrow();
        return Number(left.n) === 0;
      },
      45_000,
      'every accepted event at every webhook',
    );
    const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
    const stored = await database.db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return { duplicates, deliveries: Number(stored.n) };
  }

  it.runIf(kind === 'sqlite')(
    'kill -9 of the single process loses no accepted event',
    async () => {
      const { env, conversations, seen, verifiedCount } = await prepare();
      let service = await start(env, 'all');
      let killed = false;
      const first = await publishEvents({
        url: service.url!,
        token: TOKEN,
        conversationIds: conversations,
        count: EVENTS,
        concurrency: 16,
        shouldStop: () => killed,
        onAccepted: (n) => {
          if (n === Math.floor(EVENTS / 3) && !killed) {
            killed = true;
            void service.kill9();
          }
        },
      });
      expect(killed).toBe(true);
      expect(seen.size).toBeGreaterThan(0);
      service = await start(env, 'all');
      const second = await publishEvents({
        url: service.url!,
        token: TOKEN,
        conversationIds: conversations,
        count: EVENTS - first.accepted.length,
        concurrency: 16,
      });
      const accepted = [...first.accepted, ...second.accepted];
      expect(accepted.length).toBeGreaterThanOrEqual(EVENTS - 16);
      const { duplicates, deliveries } = await expectAllDelivered(accepted, seen);
      expect(duplicates).toBeLessThanOrEqual(2 * WORKER_CONCURRENCY);
      expect(deliveries).toBeGreaterThanOrEqual(accepted.length * 2);
      expect(verifiedCount()).toBeGreaterThan(0);
      expect(await service.stop()).toBe(0);
      const check = await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(database.db);
      expect(check.rows[0]!.integrity_check).toBe('ok');
      console.info(
        `sqlite crash: ${accepted.length} accepted, ${deliveries} deliveries, ${duplicates} duplicates`,
      );
    },
    90_000,
  );

  it.runIf(kind === 'postgres')(
    'kill -9 of one of two workers loses no accepted event',
    async () => {
      const { env, conversations, seen, verifiedCount } = await prepare();
      const api = await start(env, 'api');
      const workerA = await start(env, 'worker');
      await start(env, 'worker');
      let killed = false;
      const load = await publishEvents({
        url: api.url!,
        token: TOKEN,
        conversationIds: conversations,
        count: EVENTS,
        concurrency: 16,
        onAccepted: (n) => {
          if (n === Math.floor(EVENTS / 3) && !killed) {
            killed = true;
            void workerA.kill9();
          }
        },
      });
      expect(killed).toBe(true);
      expect(load.accepted).toHaveLength(EVENTS);
      const { duplicates, deliveries } = await expectAllDelivered(load.accepted, seen);
      expect(duplicates).toBeLessThanOrEqual(2 * WORKER_CONCURRENCY);
      expect(deliveries).toBe(EVENTS * 2);
      expect(verifiedCount()).toBeGreaterThan(0);
      const restarted = await start(env, 'worker');
      expect(await restarted.stop()).toBe(0);
      expect(await api.stop()).toBe(0);
      console.info(
        `postgres crash: ${load.accepted.length} accepted, ${deliveries} deliveries, ${duplicates} duplicates`,
      );
    },
    90_000,
  );
});
