import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isMigrated, migrateToLatest } from '../src/db/migrate.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from './support/databases.ts';

describeEachDatabase('migrations on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database.dispose());

  it('applies every migration and reports the schema ready', async () => {
    expect(await isMigrated(database.db)).toBe(true);
    expect(await migrateToLatest(database.db)).toEqual([]);
  });

  it('stores and reads bigint times as numbers', async () => {
    const now = Date.now();
    await database.db
      .insertInto('users')
      .values({
        id: 'u1',
        email: 'a@example.com',
        plan: 'pro',
        password_hash: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    const row = await database.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', 'u1')
      .executeTakeFirstOrThrow();
    expect(row.created_at).toBe(now);
    const count = await database.db
      .selectFrom('users')
      .select(sql<number>`count(*)`.as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });
});
