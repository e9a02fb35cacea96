#!/usr/bin/env node
// SQLite's own work on the hot path in instructions, which do not move with the machine's load:
// lib/sqlite-cycle.mjs runs under `valgrind --tool=callgrind` three times (setup only, + intake,
// + worker), and the instructions executed in better-sqlite3's native module (SQLite and its
// binding) are subtracted phase from phase and divided by the deliveries. For comparing a change of
// SQL, schema or store against its parent; the time figures stay with `npm run bench`.
//
//   node bench/sql-instructions.mjs [--events 3000] [--webhooks 4] [--service-repo <checkout>]
//
// Needs valgrind (Debian: apt-get install valgrind) and a built `packages/server/dist`; about a minute.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '3000' },
    webhooks: { type: 'string', default: '4' },
    'service-repo': { type: 'string', default: resolve(new URL('..', import.meta.url).pathname) },
  },
});
const repo = resolve(args['service-repo']);
const cycle = new URL('./lib/sqlite-cycle.mjs', import.meta.url).pathname;
const NATIVE = 'better_sqlite3.node';
const out = mkdtempSync(join(tmpdir(), 'klang-sql-instructions-'));

/** Instructions executed in better-sqlite3's native module during one run of `phase`. */
function count(phase) {
  const file = join(out, `${phase}.callgrind`);
  const stdout = execFileSync(
    'valgrind',
    [
      '--tool=callgrind',
      `--callgrind-out-file=${file}`,
      process.execPath,
      '--jitless',
      cycle,
      '--phase',
      phase,
      '--events',
      args.events,
      '--webhooks',
      args.webhooks,
      '--dist',
      join(repo, 'packages/server/dist'),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 24 },
  );
  const { deliveries } = JSON.parse(stdout.trim().split('\n').pop());
  // Per object file: "<Ir>  ???:function [object]"; self costs, summed over the native module.
  const report = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', file], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  let instructions = 0;
  for (const line of report.split('\n')) {
    const match = line.match(/^\s*([\d,]+)\s.*\[(.*)\]\s*$/);
    if (match?.[2].endsWith(NATIVE)) instructions += Number(match[1].replaceAll(',', ''));
  }
  return { instructions, deliveries };
}

try {
  const setup = count('setup');
  const intake = count('intake');
  const worker = count('worker');
  const deliveries = worker.deliveries;
  const per = (a, b) => Math.round((a.instructions - b.instructions) / deliveries);
  const figures = {
    repo,
    events: Number(args.events),
    webhooks: Number(args.webhooks),
    deliveries,
    intakePerDelivery: per(intake, setup),
    workerPerDelivery: per(worker, intake),
  };
  console.log(
    `SQLite instructions per delivery (${deliveries.toLocaleString('en-US')} deliveries, K=${figures.webhooks}):` +
      ` intake ${figures.intakePerDelivery.toLocaleString('en-US')},` +
      ` worker (claim + record) ${figures.workerPerDelivery.toLocaleString('en-US')}`,
  );
  console.log(JSON.stringify(figures));
} finally {
  rmSync(out, { recursive: true, force: true });
}
