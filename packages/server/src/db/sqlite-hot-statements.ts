// What the SQLite stores of hot statements share: their SQL prepared once, at first use (the tables
// exist only once migrations ran), and synchronous transactions run while Kysely's connection is held,
// so they never interleave with a Kysely transaction on the one connection.
import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from './tables.ts';

export type Prepared<S> = { [K in keyof S]: SQLite.Statement };

/** The statements of `sql`, prepared on the first call and the same ones after. */
export function preparedAtFirstUse<S extends Record<string, string>>(
  sqlite: SQLite.Database,
  sql: S,
): () => Prepared<S> {
  let prepared: Prepared<S> | undefined;
  return () => {
    prepared ??= Object.fromEntries(
      Object.entries(sql).map(([name, text]) => [name, sqlite.prepare(text)]),
    ) as Prepared<S>;
    return prepared;
  };
}

/** Runs `work` as one immediate transaction while Kysely's connection is held. */
export function lockedTransaction(sqlite: SQLite.Database, db: Kysely<Database>) {
  const transaction = sqlite.transaction((work: () => unknown) => work());
  return <T>(work: () => T): Promise<T> =>
    db.connection().execute(async () => transaction.immediate(work) as T);
}
