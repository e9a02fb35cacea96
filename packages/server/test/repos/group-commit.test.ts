// Group commit on both databases: on SQLite concurrent work shares one transaction (and one commit),
// each caller still getting its own result and a failing piece of work failing alone; on PostgreSQL
// each piece of work has its own transaction.
import type { Transaction } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createGroupCommit } from '../../src/db/group-commit.ts';
import type { Database } from '../../src/db/tables.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases.ts';

describeEachDatabase('group commit on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(() => database.dispose());

  const team = (id: string) => ({ id, name: id, created_at: 1, updated_at: 1 });
  const count = async (prefix: string) =>
    Number(
      (
        await database.db
          .selectFrom('teams')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('id', 'like', `${prefix}%`)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('commits concurrent work, each caller getting its own result after the commit', async () => {
    const group = createGroupCommit(database.db, database.dialect);
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        group.run(async (trx) => {
          await trx
            .insertInto('teams')
            .values(team(`batch_${i}`))
            .execute();
          return i;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(await count('batch_')).toBe(300);
  });

  it(
    kind === 'sqlite'
      ? 'lets concurrent work share one commit'
      : 'gives each piece of work its own transaction',
    async () => {
      const group = createGroupCommit(database.db, database.dialect);
      const transactions = new Set<Transaction<Database>>();
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          group.run(async (trx) => {
            transactions.add(trx);
            await trx
              .insertInto('teams')
              .values(team(`shared${i}`))
              .execute();
          }),
        ),
      );
      // The first piece starts alone; everything submitted while it runs shares the next commit.
      if (kind === 'sqlite') expect(transactions.size).toBeLessThanOrEqual(3);
      else expect(transactions.size).toBe(50);
    },
  );

  it('keeps a failing piece of work from taking the others down with it', async () => {
    const group = createGroupCommit(database.db, database.dialect);
    await database.db.insertInto('teams').values(team('taken')).execute();
    const outcomes = await Promise.allSettled(
      ['ok1', 'taken', 'ok2'].map((id) =>
        group.run(async (trx) => {
          await trx.insertInto('teams').values(team(id)).execute(); // taken exists: unique violation
          return id;
        }),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const names = await database.db
      .selectFrom('teams')
      .select('id')
      .where('id', 'in', ['ok1', 'ok2'])
      .execute();
    expect(names.map((r) => r.id).sort()).toEqual(['ok1', 'ok2']);
  });
});
