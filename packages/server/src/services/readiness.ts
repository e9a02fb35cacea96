// Readiness of one process, for /readyz: the database answers, every migration is applied, and the
// delivery work is covered — this process's own worker beats (roles all and worker), or, for an api
// process, some worker beats whenever deliveries are due.
import type { DatabaseHandle } from '../db/connect.ts';
import { pendingMigrations } from '../db/migrate.ts';
import type { Repos } from '../db/repos/index.ts';

/** A heartbeat older than this means the worker is stuck or gone. */
export const HEARTBEAT_STALE_MS = 60_000;

export type NotReadyReason =
  | 'database_unreachable'
  | 'migrations_pending'
  | 'worker_not_running'
  | 'no_live_worker';

export interface Readiness {
  ready: boolean;
  checks: Record<string, boolean>;
  reason?: NotReadyReason;
  message?: string;
  pendingMigrations?: string[];
  heartbeatAgeMs: number | null;
  dueDeliveries?: boolean;
}

export interface ReadinessDeps {
  database: DatabaseHandle;
  repos: Repos;
  role: 'all' | 'api' | 'worker';
  workerId: string;
}

const ageOf = (heartbeat: number | undefined, now: number) =>
  heartbeat === undefined ? null : Math.max(0, now - heartbeat);

const fresh = (age: number | null) => age !== null && age < HEARTBEAT_STALE_MS;

/** Never throws: an unreachable database is a reason like any other. */
export async function checkReadiness(deps: ReadinessDeps, now = Date.now()): Promise<Readiness> {
  let pending: string[];
  try {
    pending = await pendingMigrations(deps.database.db);
  } catch {
    return {
      ready: false,
      checks: { database: false, migrations: false },
      reason: 'database_unreachable',
      message: 'The database does not answer.',
      heartbeatAgeMs: null,
    };
  }
  if (pending.length > 0) {
    return {
      ready: false,
      checks: { database: true, migrations: false },
      reason: 'migrations_pending',
      message: `Migrations not applied: ${pending.join(', ')}. Run klang-webhooks migrate.`,
      pendingMigrations: pending,
      heartbeatAgeMs: null,
    };
  }
  try {
    return deps.role === 'api' ? await workerPool(deps, now) : await ownWorker(deps, now);
  } catch {
    return {
      ready: false,
      checks: { database: false, migrations: true },
      reason: 'database_unreachable',
      message: 'The database does not answer.',
      heartbeatAgeMs: null,
    };
  }
}

/** Roles all and worker: this process's own worker must beat (not another process's). */
async function ownWorker(deps: ReadinessDeps, now: number): Promise<Readiness> {
  const age = ageOf(await deps.repos.workers.heartbeatOf(deps.workerId), now);
  const ok = fresh(age);
  return {
    ready: ok,
    checks: { database: true, migrations: true, worker: ok },
    ...(ok
      ? {}
      : {
          reason: 'worker_not_running' as const,
          message: `The delivery worker of this process has no heartbeat in the last ${HEARTBEAT_STALE_MS / 1000} s.`,
        }),
    heartbeatAgeMs: age,
  };
}

/** Role api: not ready only when deliveries are due and no worker anywhere has a fresh heartbeat. */
async function workerPool(deps: ReadinessDeps, now: number): Promise<Readiness> {
  const age = ageOf(await deps.repos.queueStats.latestHeartbeat(), now);
  if (fresh(age)) {
    return { ready: true, checks: { database: true, migrations: true, workers: true }, heartbeatAgeMs: age };
  }
  const due = (await deps.repos.queueStats.oldestDue(now)) !== undefined;
  return {
    ready: !due,
    checks: { database: true, migrations: true, workers: !due },
    ...(due
      ? {
          reason: 'no_live_worker' as const,
          message: `Deliveries are due and no worker has a heartbeat in the last ${HEARTBEAT_STALE_MS / 1000} s: start a worker (klang-webhooks serve --role worker).`,
        }
      : {}),
    heartbeatAgeMs: age,
    dueDeliveries: due,
  };
}
