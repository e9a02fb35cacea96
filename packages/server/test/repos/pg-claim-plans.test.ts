// The claim statements on PostgreSQL reach deliveries through indexes only, in the generic plan a
// named prepared statement settles on: the lease UPDATE that follows the pick must not hash-join a
// sequential scan of the whole table (it once did, reading every delivery on every refill).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQL } from '../../src/db/queue-store/postgres.ts';
import { createSecretBox } from '../../src/domain/secrets.ts';
import { openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { insertUser, insertWebhook } from '../support/fixtures.ts';

const ROWS = 5_000;
let database: TestDatabase;
let webhookId: string;

describe.skipIf(!process.env.TEST_DATABASE_URL)('postgres claim plans', () => {
  beforeAll(async () => {
    database = await openTestDatabase('postgres');
    const user = await insertUser(database.db);
    webhookId = (await insertWebhook(database.db, createSecretBox(Buffer.alloc(32, 1)), user)).id;
    const client = await database.pool!.connect();
    try {
      await client.query(
        `INSERT INTO events (id, type, conversation_id, payload, test, created_at)
         SELECT 'evt_' || g, 'conversation.ready', NULL, '{}', 0, g FROM generate_series(1, $1) g`,
        [ROWS],
      );
      await client.query(
        `INSERT INTO deliveries (id, event_id, webhook_id, status, test, attempts, next_attempt_at,
           created_at, updated_at)
         SELECT 'dlv_' || g, 'evt_' || g, $2, 'pending', 0, 0, g, g, g FROM generate_series(1, $1) g`,
        [ROWS, webhookId],
      );
      await client.query('ANALYZE');
    } finally {
      client.release();
    }
  });
  afterAll(async () => {
    await database?.dispose();
  });

  /** The generic plan of `text` (as a named statement uses after its first executions). */
  async function genericPlan(text: string, values: unknown[]): Promise<string> {
    const client = await database.pool!.connect();
    try {
      await client.query(`SET plan_cache_mode = force_generic_plan`);
      await client.query(`PREPARE plan_probe AS ${text}`);
      const params = values.map((v) => client.escapeLiteral(typeof v === 'string' ? v : JSON.stringify(v)));
      const { rows } = await client.query(`EXPLAIN EXECUTE plan_probe(${params.join(', ')})`);
      return rows.map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN']).join('\n');
    } finally {
      await client.query('DEALLOCATE ALL; RESET plan_cache_mode').catch(() => {});
      client.release();
    }
  }

  const pgArray = (items: string[]) => `{${items.join(',')}}`;

  it('refills through the per-webhook index and leases by primary key', async () => {
    const now = ROWS + 1;
    const plan = await genericPlan(SQL.refill, [
      pgArray([webhookId]),
      '{50}',
      now,
      now + 60_000,
      'wrk_plan',
      '{100}',
    ]);
    expect(plan).toContain('deliveries_webhook_status_due');
    expect(plan).not.toMatch(/Seq Scan on deliveries/);
  });

  it('scans through the due index and leases by primary key', async () => {
    const now = ROWS + 1;
    const plan = await genericPlan(SQL.scan, [
      now,
      -1,
      '{}',
      '{}',
      800,
      32,
      128,
      200,
      now + 60_000,
      'wrk_plan',
    ]);
    expect(plan).toContain('deliveries_due');
    expect(plan).not.toMatch(/Seq Scan on deliveries/);
  });
});
