// `klang-webhooks doctor`: checks an operator can run anywhere the service runs — configuration and
// secrets, the database, migrations, workers, the clock against the database's, and DNS.
import { lookup } from 'node:dns/promises';
import { databaseNow } from '../db/clock.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import { createRepos } from '../db/repos/index.ts';
import { checkReadiness, HEARTBEAT_STALE_MS } from './readiness.ts';

export type Verdict = 'ok' | 'warn' | 'fail';
export interface Finding {
  check: string;
  verdict: Verdict;
  message: string;
}

const CLOCK_SKEW_WARN_MS = 2_000;

async function clockCheck(database: DatabaseHandle): Promise<Finding> {
  const before = Date.now();
  const remote = await databaseNow(database);
  if (remote === undefined) return { check: 'clock', verdict: 'ok', message: 'embedded database: one clock' };
  const skew = Math.round(remote - (before + Date.now()) / 2);
  const verdict = Math.abs(skew) > CLOCK_SKEW_WARN_MS ? 'warn' : 'ok';
  return { check: 'clock', verdict, message: `this machine is ${-skew} ms off the database server's clock` };
}

async function dnsCheck(host: string): Promise<Finding> {
  try {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('timed out')), 3_000).unref(),
    );
    const { address } = await Promise.race([lookup(host), timeout]);
    return { check: 'dns', verdict: 'ok', message: `${host} resolves (${address})` };
  } catch (error) {
    return {
      check: 'dns',
      verdict: 'warn',
      message: `${host} does not resolve (${(error as Error).message}): deliveries to host names will fail`,
    };
  }
}

async function workersCheck(database: DatabaseHandle): Promise<Finding> {
  const repos = createRepos(database);
  const heartbeat = await repos.queueStats.latestHeartbeat();
  const age = heartbeat === undefined ? undefined : Date.now() - heartbeat;
  const due = await repos.queueStats.oldestDue();
  if (age !== undefined && age < HEARTBEAT_STALE_MS)
    return { check: 'workers', verdict: 'ok', message: `latest worker heartbeat ${age} ms ago` };
  if (due !== undefined)
    return {
      check: 'workers',
      verdict: 'fail',
      message: `deliveries due for ${Math.round((Date.now() - due) / 1000)} s and no live worker`,
    };
  return { check: 'workers', verdict: 'warn', message: 'no live worker (nothing is due)' };
}

/** Runs every check in order; database checks stop at the first failure. Never throws. */
export async function runDoctor(database: DatabaseHandle, dnsHost = 'example.com'): Promise<Finding[]> {
  const findings: Finding[] = [{ check: 'config', verdict: 'ok', message: 'settings and secrets are valid' }];
  const readiness = await checkReadiness({
    database,
    repos: createRepos(database),
    role: 'api',
    workerId: '',
  });
  if (readiness.reason === 'database_unreachable') {
    findings.push({ check: 'database', verdict: 'fail', message: readiness.message ?? 'unreachable' });
  } else {
    findings.push({ check: 'database', verdict: 'ok', message: `${database.dialect} answers` });
    const pending = readiness.pendingMigrations ?? [];
    findings.push(
      pending.length
        ? {
            check: 'migrations',
            verdict: 'fail',
            message: `pending: ${pending.join(', ')} (klang-webhooks migrate)`,
          }
        : { check: 'migrations', verdict: 'ok', message: 'all applied' },
    );
    if (!pending.length) findings.push(await workersCheck(database).catch(failed('workers')));
    findings.push(await clockCheck(database).catch(failed('clock')));
  }
  findings.push(await dnsCheck(dnsHost));
  return findings;
}

const failed =
  (check: string) =>
  (error: unknown): Finding => ({ check, verdict: 'fail', message: (error as Error).message });
