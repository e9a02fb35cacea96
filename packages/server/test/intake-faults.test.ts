// Intake when the SQLite file cannot take writes — full (the page limit reached) or read-only: the host
// API answers 503 with Retry-After, nothing of a refused event is stored, and intake recovers as soon
// as the file takes writes again, without a restart.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app.ts';
import { insertConversation, insertUser, insertWebhook } from './support/fixtures.ts';

describe('intake when the SQLite file cannot take writes', () => {
  let t: TestApp;

  afterEach(async () => {
    await t?.dispose();
  });

  async function prepare() {
    t = await createTestApp('sqlite');
    const { db } = t.database;
    const owner = await insertUser(db, 'pro');
    const conversationId = await insertConversation(db, owner);
    await insertWebhook(db, t.container.secretBox, owner);
    await insertWebhook(db, t.container.secretBox, owner);
    const publish = (key: string) =>
      t.app.inject({
        method: 'POST',
        url: '/internal/v1/events',
        headers: { ...t.hostAuth, 'idempotency-key': key },
        payload: { type: 'conversation.ready', conversation_id: conversationId },
      });
    const count = async (table: 'events' | 'deliveries' | 'idempotency_keys') =>
      Number(
        (
          await db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const publishBatch = (keys: string[]) =>
      t.app.inject({
        method: 'POST',
        url: '/internal/v1/events/batch',
        headers: t.hostAuth,
        payload: {
          events: keys.map((key) => ({
            type: 'conversation.ready',
            conversation_id: conversationId,
            idempotency_key: key,
          })),
        },
      });
    return { publish, publishBatch, count };
  }

  function expectUnavailable(response: Awaited<ReturnType<TestApp['app']['inject']>>) {
    expect(response.statusCode, response.body).toBe(503);
    expect(response.json().error.code).toBe('service_unavailable');
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  }

  it('answers 503 while the file is full, stores nothing of the refused event, and recovers', async () => {
    const { publish, count } = await prepare();
    const { db } = t.database;
    const pages = await sql<{ page_count: number }>`PRAGMA page_count`.execute(db);
    await sql.raw(`PRAGMA max_page_count = ${pages.rows[0]!.page_count}`).execute(db);
    let refused: string | undefined;
    let accepted = 0;
    for (let i = 0; i < 5_000 && refused === undefined; i++) {
      const response = await publish(`full-${i}`);
      if (response.statusCode === 202) accepted++;
      else {
        expectUnavailable(response);
        refused = `full-${i}`;
      }
    }
    expect(refused).toBeDefined();
    // Nothing half-written: the accepted events with both deliveries, the refused one not at all.
    expect(await count('events')).toBe(accepted);
    expect(await count('deliveries')).toBe(accepted * 2);
    expect(await count('idempotency_keys')).toBe(accepted);

    await sql.raw('PRAGMA max_page_count = 1073741823').execute(db);
    const retried = await publish(refused!);
    expect(retried.statusCode, retried.body).toBe(202);
    expect(retried.json().deliveries).toBe(2);
    expect(await count('events')).toBe(accepted + 1);
    expect(await count('deliveries')).toBe((accepted + 1) * 2);
  });

  it('answers 503 while the file is read-only and recovers when it is writable again', async () => {
    const { publish, count } = await prepare();
    const { db } = t.database;
    expect((await publish('before')).statusCode).toBe(202);
    await sql`PRAGMA query_only = 1`.execute(db);
    for (const key of ['ro-1', 'ro-2']) expectUnavailable(await publish(key));
    expect(await count('events')).toBe(1);
    expect(await count('deliveries')).toBe(2);

    await sql`PRAGMA query_only = 0`.execute(db);
    const after = await publish('ro-1');
    expect(after.statusCode, after.body).toBe(202);
    expect(await count('events')).toBe(2);
    expect(await count('deliveries')).toBe(4);
  });

  it('answers 503 to a batch while the file is read-only, storing none of it, and recovers', async () => {
    const { publishBatch, count } = await prepare();
    const { db } = t.database;
    expect((await publishBatch(['b-before'])).statusCode).toBe(202);
    await sql`PRAGMA query_only = 1`.execute(db);
    expectUnavailable(await publishBatch(['b-1', 'b-2', 'b-3']));
    expect([await count('events'), await count('deliveries'), await count('idempotency_keys')]).toEqual([
      1, 2, 1,
    ]);

    await sql`PRAGMA query_only = 0`.execute(db);
    const after = await publishBatch(['b-1', 'b-2', 'b-3']);
    expect(after.statusCode, after.body).toBe(202);
    expect(after.json().data.map((d: { deliveries: number }) => d.deliveries)).toEqual([2, 2, 2]);
    expect([await count('events'), await count('deliveries'), await count('idempotency_keys')]).toEqual([
      4, 8, 4,
    ]);
  });
});
