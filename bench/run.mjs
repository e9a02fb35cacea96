#!/usr/bin/env node
// `npm run bench`: end-to-end benchmark of the service on this machine, next to the raw HTTP limit.
// Scenarios: raw (undici POST loop, the limit), bullmq (the BullMQ + Redis peer, throughput),
// sqlite (one process, throughput), postgres (api + 2 workers, throughput), latency, latency-k4,
// latency-postgres and bullmq-latency (fixed rate, publish→delivery), publish and publish-batch (api
// only), query-p99 (read API over 1M attempts); not by default: drain-rss (RSS draining a 1M
// backlog). Service figures are printed as ratios to the peer and to the signed-undici limit.
// Prints a table and writes bench/results/bench-<time>.json. See bench/README.md for the flags.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { scenarioPeer, scenarioPeerLatency } from './lib/peer.mjs';
import { REPO, startReceiver, stop, useServiceRepo } from './lib/processes.mjs';
import { scenarioPostgres, scenarioRaw, scenarioSqlite } from './lib/scenarios.mjs';
import { scenarioDrainRss } from './lib/scenarios-backlog.mjs';
import { scenarioLatency, scenarioLatencyK4, scenarioLatencyPostgres } from './lib/scenarios-latency.mjs';
import { scenarioPublish, scenarioPublishBatch } from './lib/scenarios-publish.mjs';
import { scenarioQueryP99 } from './lib/scenarios-query.mjs';
import { formatTable } from './lib/table.mjs';

const DEFAULT = [
  'raw',
  'bullmq',
  'sqlite',
  'postgres',
  'latency',
  'latency-k4',
  'latency-postgres',
  'bullmq-latency',
  'publish',
  'publish-batch',
  'query-p99',
];
// About 5 minutes at full size (a 1M backlog): run it by name (--scenario drain-rss).
const HEAVY = ['drain-rss'];
const ALL = [...DEFAULT, ...HEAVY];
const PEER = ['bullmq', 'bullmq-latency'];
const POSTGRES = ['postgres', 'latency-postgres'];
const { values: flags } = parseArgs({
  options: {
    scenario: { type: 'string', default: DEFAULT.join(',') },
    events: { type: 'string', default: '20000' },
    webhooks: { type: 'string', default: '4' },
    'skip-postgres': { type: 'boolean', default: false },
    'skip-peer': { type: 'boolean', default: false },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    'peer-concurrency': { type: 'string', default: '50' },
    'pg-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432' },
    'pg-workers': { type: 'string', default: '2' },
    'publish-concurrency': { type: 'string', default: '32' },
    'publish-warmup': { type: 'string', default: '10000' },
    rate: { type: 'string', default: '500' },
    'latency-seconds': { type: 'string', default: '10' },
    'latency-warmup': { type: 'string', default: '10' },
    'latency-webhooks': { type: 'string', default: '1' },
    'raw-seconds': { type: 'string', default: '3' },
    'deadline-seconds': { type: 'string', default: '40' },
    'receiver-delay-ms': { type: 'string', default: '0' },
    'batch-events': { type: 'string', default: '100000' },
    'batch-size': { type: 'string', default: '500' },
    'batch-concurrency': { type: 'string', default: '4' },
    backlog: { type: 'string', default: '1000000' },
    'backlog-deadline-seconds': { type: 'string', default: '1200' },
    'query-attempts': { type: 'string', default: '1000000' },
    'query-requests': { type: 'string', default: '300' },
    env: { type: 'string', multiple: true, default: [] },
    'service-repo': { type: 'string', default: REPO },
    'cpu-prof': { type: 'boolean', default: false },
    'sql-timing': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write(
    `Usage: npm run bench -- [--scenario ${DEFAULT.join(',')}] (also: ${HEAVY.join(', ')})\n`,
  );
  process.stdout.write(
    '  [--events N] [--webhooks K] [--skip-postgres] [--skip-peer] [--env KLANG_X=v …] [--cpu-prof]\n',
  );
  process.exit(0);
}

const scenarios = flags.scenario
  .split(',')
  .filter((name) => !(flags['skip-postgres'] && POSTGRES.includes(name)))
  .filter((name) => !(flags['skip-peer'] && PEER.includes(name)));
const unknown = scenarios.filter((name) => !ALL.includes(name));
if (unknown.length > 0) throw new Error(`Unknown scenario ${unknown.join(', ')}; use ${ALL.join(', ')}`);

const service = useServiceRepo(flags['service-repo']);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const resultsDir = join(REPO, 'bench', 'results');
const profDir = join(resultsDir, `prof-${stamp}`);
const receiver = await startReceiver({ ports: 4, delayMs: Number(flags['receiver-delay-ms']) });
const opts = {
  ports: receiver.ports,
  receiverPid: receiver.child.pid,
  events: Number(flags.events),
  webhooks: Math.min(4, Number(flags.webhooks)),
  pgUrl: flags['pg-url'],
  pgWorkers: Number(flags['pg-workers']),
  redisUrl: flags['redis-url'],
  peerConcurrency: Number(flags['peer-concurrency']),
  publishConcurrency: Number(flags['publish-concurrency']),
  publishWarmup: Number(flags['publish-warmup']),
  rate: Number(flags.rate),
  latencySeconds: Number(flags['latency-seconds']),
  latencyWarmup: Number(flags['latency-warmup']),
  latencyWebhooks: Math.min(4, Number(flags['latency-webhooks'])),
  rawSeconds: Number(flags['raw-seconds']),
  deadlineMs: Number(flags['deadline-seconds']) * 1000,
  batchEvents: Number(flags['batch-events']),
  batchSize: Number(flags['batch-size']),
  batchConcurrency: Number(flags['batch-concurrency']),
  backlog: Number(flags.backlog),
  backlogDeadlineMs: Number(flags['backlog-deadline-seconds']) * 1000,
  queryAttempts: Number(flags['query-attempts']),
  queryRequests: Number(flags['query-requests']),
  serviceEnv: {
    ...Object.fromEntries(flags.env.map((pair) => pair.split(/=(.*)/s).slice(0, 2))),
    ...(flags['sql-timing'] ? { KLANG_BENCH_SQL_TIMING: join(profDir, 'sql-%p.json') } : {}),
  },
  nodeArgs: [
    ...(flags['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
    ...(flags['sql-timing'] ? ['--import', join(REPO, 'bench', 'lib', 'sql-timing.mjs')] : []),
  ],
};
if (flags['cpu-prof'] || flags['sql-timing']) mkdirSync(profDir, { recursive: true });

const runners = {
  raw: scenarioRaw,
  bullmq: scenarioPeer,
  'bullmq-latency': scenarioPeerLatency,
  sqlite: scenarioSqlite,
  postgres: scenarioPostgres,
  latency: scenarioLatency,
  'latency-k4': scenarioLatencyK4,
  'latency-postgres': scenarioLatencyPostgres,
  publish: scenarioPublish,
  'publish-batch': scenarioPublishBatch,
  'drain-rss': scenarioDrainRss,
  'query-p99': scenarioQueryP99,
};
const results = {};
const startedAt = Date.now();
const loadBefore = loadavg().map((v) => Math.round(v * 100) / 100);
// On a shared machine the raw limit moves: with other scenarios, measure it again at the end.
const plan = scenarios.map((name) => [name, name]);
if (scenarios.includes('raw') && scenarios.length > 1) plan.push(['rawEnd', 'raw']);
try {
  for (const [key, name] of plan) {
    process.stderr.write(`• ${key} …\n`);
    const t0 = Date.now();
    try {
      results[key] = await runners[name](opts);
    } catch (error) {
      results[key] = { error: String(error.stack ?? error) };
      process.stderr.write(`  ${key} failed: ${error.message}\n`);
    }
    process.stderr.write(`  done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
} finally {
  await stop(receiver.child);
}

const report = {
  date: new Date(startedAt).toISOString(),
  node: process.version,
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  service,
  loadAverage: { before: loadBefore, after: loadavg().map((v) => Math.round(v * 100) / 100) },
  options: {
    ...opts,
    ports: undefined,
    receiverPid: undefined,
    nodeArgs: undefined,
    profiles: flags['cpu-prof'] || flags['sql-timing'] ? profDir : undefined,
  },
  totalSeconds: Math.round((Date.now() - startedAt) / 100) / 10,
  results,
};
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, `bench-${stamp}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(`\n${formatTable(report)}\n\nWritten ${file} (${report.totalSeconds} s)\n`);
if (flags['cpu-prof'] || flags['sql-timing']) {
  process.stdout.write(
    `Profiles in ${profDir} (CPU: node bench/profile-summary.mjs <file>; SQL: sql-<pid>.json)\n`,
  );
}
