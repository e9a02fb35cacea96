// Fresh deployments for one scenario: a SQLite file (one or several processes started on it in turn)
// or a PostgreSQL database with one api and N workers; everything started is stopped at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { procStats, serviceEnv, startService, stop } from './processes.mjs';

export const round = (value, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Runs `body({env, dir, file, start, stop})` on a fresh SQLite file: `start(role)` starts a service
 * process on it, `stop(service)` ends one early (e.g. to fill the file with SQL between two starts).
 */
export async function withSqliteFile(opts, body) {
  const dir = mkdtempSync(join(tmpdir(), 'klang-bench-'));
  const file = join(dir, 'klang.db');
  const env = serviceEnv({ databaseUrl: `sqlite:${file}`, dataDir: dir, extra: opts.serviceEnv });
  const started = [];
  const start = async (role, extraEnv = {}) => {
    const service = await startService({ ...env, ...extraEnv }, role, { nodeArgs: opts.nodeArgs });
    started.push(service);
    return service;
  };
  try {
    return await body({ env, dir, file, start, stop: (service) => stop(service.child) });
  } finally {
    await Promise.all(started.map((service) => stop(service.child)));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `body({env, file, url, services})` against a fresh SQLite deployment of the given role. */
export const withSqlite = (opts, role, body) =>
  withSqliteFile(opts, async ({ env, file, start }) => {
    const service = await start(role);
    return body({ env, file, url: service.url, services: [service] });
  });

/** Runs `body` against a fresh PostgreSQL database with one api and `workers` worker processes. */
export async function withPostgres(opts, workers, body) {
  const name = 'klang_bench';
  const admin = new pg.Client({ connectionString: `${opts.pgUrl}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  const env = serviceEnv({ databaseUrl: `${opts.pgUrl}/${name}`, dataDir: tmpdir(), extra: opts.serviceEnv });
  const services = [];
  try {
    services.push(await startService(env, 'api', { nodeArgs: opts.nodeArgs }));
    for (let i = 0; i < workers; i++)
      services.push(await startService(env, 'worker', { nodeArgs: opts.nodeArgs }));
    const result = await body({ env, url: services[0].url, services });
    await Promise.all(services.map((service) => stop(service.child)));
    // The whole life of the database (setup included), read once its processes have flushed their stats.
    const { rows } = await admin.query(
      `SELECT xact_commit, tup_inserted, tup_updated, tup_deleted, tup_returned, tup_fetched
       FROM pg_stat_database WHERE datname = $1`,
      [name],
    );
    const perDelivery = Object.entries(rows[0] ?? {}).map(([key, value]) => [
      key,
      round(Number(value) / Math.max(1, result.delivered), 1),
    ]);
    return { ...result, postgresStatsPerDelivery: Object.fromEntries(perDelivery) };
  } finally {
    await Promise.all(services.map((service) => stop(service.child)));
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

/** Peak RSS and CPU seconds of each service process since `before` (procStats of each). */
export const processFigures = (services, before) =>
  services.map((service, i) => {
    const now = procStats(service.child.pid);
    return {
      role: service.role,
      peakRssMiB: now.peakRssMiB,
      cpuSeconds: round(now.cpuSeconds - before[i].cpuSeconds, 2),
    };
  });
