// SQLite under a kill -9 loop: the single process is killed 10 times at random moments (seeded) while
// 20,000 events fan out to three webhooks of two owners, and restarted each time. Every accepted event
// reaches every eligible webhook, duplicates stay bounded by what was in flight, the file is intact.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/domain/secrets.ts';
import { openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { insertConversation, insertUser, insertWebhook, type WebhookFixture } from '../support/fixtures.ts';
import { publishEvents, type ServiceProcess, startService } from './support/process.ts';
import { createReceiver, type Receiver, waitFor } from './support/receiver.ts';

const EVENTS = 20_000;
const KILLS = 10;
const WEBHOOKS = 3;
const WORKER_CONCURRENCY = 32;
const TOKEN = 'kill-loop-ingest-token-0123456789';
const SEED = 20_260_611;

/** A small seeded generator (mulberry32), so a failing run can be replayed. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('kill -9 loop (sqlite)', () => {
  let database: TestDatabase;
  let target: Receiver;
  let dataDir: string;
  let service: ServiceProcess | undefined;

  afterEach(async () => {
    if (service && service.child.exitCode === null) await service.kill9();
    await target?.close();
    await database?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`delivers every accepted event to every webhook through ${KILLS} kills`, async () => {
    const random = seeded(SEED);
    database = await openTestDatabase('sqlite');
    dataDir = mkdtempSync(join(tmpdir(), 'klang-kill-loop-'));
    const key = randomBytes(32);
    const box = createSecretBox(key);
    const { db } = database;
    const owner = await insertUser(db, 'pro');
    const member = await insertUser(db, 'team');
    const conversations = [
      await insertConversation(db, owner, { users: [member] }),
      await insertConversation(db, owner, { users: [member] }),
    ];
    target = await createReceiver();
    const webhooks: WebhookFixture[] = [];
    for (const [i, user] of [owner, member, owner].entries()) {
      webhooks.push(await insertWebhook(db, box, user, { url: `${target.url}/w${i}` }));
    }
    const seen = new Map<string, number>();
    let verified = 0;
    target.respond((request, res) => {
      const pair = `${request.path} ${request.headers['webhook-id']}`;
      seen.set(pair, (seen.get(pair) ?? 0) + 1);
      if (seen.size % 200 === 0) {
        new Webhook(webhooks[Number(request.path.slice(2))]!.secret).verify(request.body, request.headers);
        verified++;
      }
      res.writeHead(200);
      res.end();
    });
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
    // Kill points: random numbers of accepted events, then a random extra delay of up to 300 ms.
    const points = Array.from({ length: KILLS }, () => Math.floor(random() * EVENTS * 0.95)).sort(
      (a, b) => a - b,
    );
    const accepted: string[] = [];
    let unknown = 0;
    for (let run = 0; run <= KILLS; run++) {
      const current = await startService(env, 'all');
      service = current;
      const point = points[run];
      let killing = false;
      const load = await publishEvents({
        url: current.url!,
        token: TOKEN,
        conversationIds: conversations,
        count: EVENTS - accepted.length,
        concurrency: 16,
        // The load goes on until the process is gone: the kill lands in the middle of intake too.
        shouldStop: () => current.child.signalCode !== null,
        onAccepted: (n) => {
          if (point === undefined || killing || accepted.length + n < point) return;
          killing = true;
          setTimeout(() => void current.kill9(), Math.floor(random() * 300));
        },
      });
      accepted.push(...load.accepted);
      unknown += load.unknown;
      if (point !== undefined)
        await waitFor(() => current.child.exitCode !== null || current.child.signalCode, 10_000, 'the kill');
    }
    expect(accepted.length).toBeGreaterThanOrEqual(EVENTS - 16);

    await waitFor(
      async () => {
        const paths = Array.from({ length: WEBHOOKS }, (_, i) => `/w${i}`);
        if (!accepted.every((id) => paths.every((path) => seen.has(`${path} ${id}`)))) return false;
        const left = await database.db
          .selectFrom('deliveries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('status', '!=', 'succeeded')
          .executeTakeFirstOrThrow();
        return Number(left.n) === 0;
      },
      120_000,
      'every accepted event at every webhook',
    );
    const duplicates = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
    expect(duplicates).toBeLessThanOrEqual(KILLS * 2 * WORKER_CONCURRENCY);
    expect(verified).toBeGreaterThan(0);
    expect(await service!.stop()).toBe(0);
    const integrity = await sql<{ integrity_check: string }>`PRAGMA integrity_check`.execute(database.db);
    expect(integrity.rows[0]!.integrity_check).toBe('ok');
    console.info(
      `sqlite kill loop: ${KILLS} kills, ${accepted.length} accepted, ${unknown} unknown, ${seen.size} delivered pairs, ${duplicates} duplicates`,
    );
  }, 300_000);
});
