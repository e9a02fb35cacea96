// How many connections a process's PostgreSQL pool opens: KLANG_DATABASE_POOL_SIZE, or sized for the
// role from the statements it really issues at once (the formula is documented in config/schema.ts).
import type { Config } from '../config/schema.ts';

/** An api process: up to 3 publish groups at once, keyed publishes and user API requests beside them. */
export const API_POOL_SIZE = 10;
/** The worker's one-at-a-time statements: claim loop, result writer, housekeeping, lease releases. */
const WORKER_SERIAL_STATEMENTS = 4;
/** Send-time re-checks are one short query per turn: one connection per this many attempts in flight. */
const RECHECKS_PER_CONNECTION = 16;

export function workerPoolSize(workerConcurrency: number): number {
  return WORKER_SERIAL_STATEMENTS + Math.ceil(workerConcurrency / RECHECKS_PER_CONNECTION);
}

export function databasePoolSize(
  config: Pick<Config, 'databasePoolSize' | 'role' | 'workerConcurrency'>,
): number {
  if (config.databasePoolSize !== undefined) return config.databasePoolSize;
  if (config.role === 'api') return API_POOL_SIZE;
  const worker = workerPoolSize(config.workerConcurrency);
  return config.role === 'worker' ? worker : API_POOL_SIZE + worker;
}
