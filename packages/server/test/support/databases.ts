// Test databases: a fresh SQLite file always, and a fresh PostgreSQL schema when TEST_DATABASE_URL is set.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

export type DatabaseKind = 'sqlite' | 'postgres';

/** The kinds to run contract suites on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const DATABASE_KINDS: DatabaseKind[] = process.env.TEST_DATABASE_URL
  ? ['sqlite', 'postgres']
  : ['sqlite'];

/**
 * One suite per database (`%s` in the title is the kind). Without TEST_DATABASE_URL the PostgreSQL
 * suite is reported as skipped, with the reason in its title, rather than left out of the count.
 */
export function describeEachDatabase(title: string, suite: (kind: DatabaseKind) => void): void {
  for (const kind of ['sqlite', 'postgres'] as const) {
    const name = title.replace('%s', kind);
    const skip = kind === 'postgres' && !process.env.TEST_DATABASE_URL;
    describe.skipIf(skip)(skip ? `${name} (skipped: set TEST_DATABASE_URL to run it)` : name, () =>
      suite(kind),
    );
  }
}

export interface TestDatabase extends DatabaseHandle {
  /** The URL a second process could use to reach the same data. */
  url: string;
  /** Extra connect option for PostgreSQL (the schema); pass along with `url`. */
  schema?: string;
  /** Close and remove everything. */
  dispose(): Promise<void>;
}

/** Opens a fresh, migrated database of the given kind. */
export async function openTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'klang-test-'));
    const url = `sqlite:${join(dir, 'klang.db')}`;
    const handle = connectDatabase(url);
    await migrateToLatest(handle.db);
    return {
      ...handle,
      url,
      async dispose() {
        await handle.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await withAdminClient(base, (client) => client.query(`CREATE SCHEMA ${schema}`));
  const handle = connectDatabase(base, { schema });
  await migrateToLatest(handle.db);
  const url = withSearchPath(base, schema);
  return {
    ...handle,
    url,
    schema,
    async dispose() {
      await handle.close();
      await withAdminClient(base, (client) => client.query(`DROP SCHEMA ${schema} CASCADE`));
    },
  };
}

/** A postgres URL that selects the schema for any client (used for child processes). */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

async function withAdminClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
