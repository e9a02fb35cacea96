// biome-ignore-all lint/suspicious/noExplicitAny: migrations run on any schema
// Runs the migrations (one set for SQLite and PostgreSQL); safe to call from several processes at once.
import { type Kysely, type Migration, type MigrationProvider, Migrator, PostgresAdapter, sql } from 'kysely';
import * as initial from './migrations/0001-initial.ts';
import * as webhookDue from './migrations/0002-deliveries-webhook-due.ts';
import * as hotLeases from './migrations/0003-deliveries-hot-leases.ts';
import * as bodyEncoding from './migrations/0004-attempts-body-encoding.ts';
import * as statsHistogram from './migrations/0005-stats-histogram-failure-kinds.ts';
import * as statsShards from './migrations/0006-stats-shards.ts';
import * as requestSignature from './migrations/0007-attempts-request-signature.ts';
import * as hotForeignKeys from './migrations/0008-hot-foreign-keys.ts';

const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-deliveries-webhook-due': webhookDue,
  '0003-deliveries-hot-leases': hotLeases,
  '0004-attempts-body-encoding': bodyEncoding,
  '0005-stats-histogram-failure-kinds': statsHistogram,
  '0006-stats-shards': statsShards,
  '0007-attempts-request-signature': requestSignature,
  '0008-hot-foreign-keys': hotForeignKeys,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * On PostgreSQL the migration tables live in the current schema, named explicitly: otherwise Kysely
 * finds its tables in any schema of the database and skips creating them in this one.
 */
async function createMigrator(db: Kysely<any>): Promise<Migrator> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return new Migrator({ db, provider });
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return new Migrator({ db, provider, migrationTableSchema: rows[0]?.schema ?? 'public' });
}

/** Applies pending migrations; returns the names applied. Throws on failure. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = await createMigrator(db);
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when every known migration is applied (for /readyz). */
export async function isMigrated(db: Kysely<any>): Promise<boolean> {
  return (await pendingMigrations(db)).length === 0;
}

/** The names of known migrations not yet applied; throws when the database does not answer. */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const migrations = await (await createMigrator(db)).getMigrations();
  return migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
