// Opens the database named by a URL: better-sqlite3 (WAL) for `sqlite:<path>`, a pg pool for postgres://,
// with the queue and intake stores of that dialect (the hot statements, hand-written and prepared once).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Dialect } from './dialect.ts';
import { createPostgresIntakeStore } from './intake-store/postgres.ts';
import { createSqliteIntakeStore } from './intake-store/sqlite.ts';
import type { IntakeStore } from './intake-store/types.ts';
import { createPostgresQueueStore } from './queue-store/postgres.ts';
import { createSqliteQueueStore } from './queue-store/sqlite.ts';
import type { QueueStore } from './queue-store/types.ts';
import { createFirstAnalyze } from './repos/queue-sweeps.ts';
import { startCheckpointer } from './sqlite-checkpointer.ts';
import { sqliteDialect } from './sqlite-dialect.ts';
import { withStatementCache } from './sqlite-statement-cache.ts';
import type { Database } from './tables.ts';

export type { Dialect } from './dialect.ts';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The queue's hot statements for this dialect. */
  queueStore: QueueStore;
  /** The grouped intake's write for this dialect. */
  intakeStore: IntakeStore;
  /** SQLite only: the database file (absent for :memory:). */
  file?: string;
  /** PostgreSQL only: the pool (NOTIFY goes through it). */
  pool?: pg.Pool;
  /**
   * PostgreSQL only: a new client outside the pool, for the worker's LISTEN connection (named
   * `<application name> listener` in pg_stat_activity); not yet connected.
   */
  listenerClient?: () => pg.Client;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** PostgreSQL schema to use (created if missing); tests use one per file. */
  schema?: string;
  /** Connections in the pool at most (default 10; the service sizes it, see db/pool-size.ts). */
  poolSize?: number;
  /** application_name of the connections, as operators see them in pg_stat_activity. */
  applicationName?: string;
  /**
   * SQLite file only: WAL checkpoints in a background thread instead of inside the commit that
   * crosses the threshold (db/sqlite-checkpointer.ts); for the long-running service.
   */
  backgroundCheckpoint?: boolean;
  /** Where the background checkpointer reports a problem. */
  onProblem?: (message: string) => void;
}

export const APPLICATION_NAME = 'klang-webhooks';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

export function connectDatabase(url: string, options: ConnectOptions = {}): DatabaseHandle {
  if (url.startsWith('sqlite:')) return connectSqlite(url.slice('sqlite:'.length), options);
  return connectPostgres(url, options);
}

function connectSqlite(path: string, options: ConnectOptions): DatabaseHandle {
  const file = path === ':memory:' ? path : resolve(path);
  if (file !== ':memory:' && !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    // An empty file is an empty database; creating it first keeps it (and its WAL) owner-only.
    writeFileSync(file, '', { mode: 0o600 });
  }
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: sqliteDialect(sqlite, withStatementCache(sqlite)) });
  const checkpointer =
    options.backgroundCheckpoint && file !== ':memory:'
      ? startCheckpointer(sqlite, file, {
          ...(options.onProblem ? { onProblem: options.onProblem } : {}),
          hold: (work) => db.connection().execute(work),
        })
      : undefined;
  return {
    db,
    dialect: 'sqlite',
    queueStore: createSqliteQueueStore(sqlite, db),
    intakeStore: createSqliteIntakeStore(sqlite, db),
    ...(file === ':memory:' ? {} : { file }),
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

function connectPostgres(url: string, options: ConnectOptions): DatabaseHandle {
  const types = {
    getTypeParser: (oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID || oid === NUMERIC_OID
        ? (value: string) => Number(value)
        : pg.types.getTypeParser(oid, format ?? 'text'),
  };
  const applicationName = options.applicationName ?? APPLICATION_NAME;
  const clientConfig = {
    connectionString: url,
    types,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  };
  const pool = new pg.Pool({
    ...clientConfig,
    max: options.poolSize ?? 10,
    application_name: applicationName,
  });
  // A client losing its server (restart, failover) must not crash the process, idle or checked out:
  // the query in flight fails (503 for requests), the pool drops the broken client on release and
  // the next query reconnects.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const statistics = createFirstAnalyze(db);
  const queueStore = createPostgresQueueStore(pool, { afterClaim: (n) => statistics.afterClaim(n) });
  // Keep-alive, so a listener whose server vanished without a word is noticed and replaced.
  const listenerClient = () =>
    new pg.Client({ ...clientConfig, application_name: `${applicationName} listener`, keepAlive: true });
  return {
    db,
    dialect: 'postgres',
    queueStore,
    intakeStore: createPostgresIntakeStore(pool),
    pool,
    listenerClient,
    close: () => db.destroy(),
  };
}
