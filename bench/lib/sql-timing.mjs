// Diagnostic preload (`node --import bench/lib/sql-timing.mjs …`, or `npm run bench -- --sql-timing`):
// times every better-sqlite3 statement execution by SQL text and, at exit, writes the statements
// with the most total time to $KLANG_BENCH_SQL_TIMING (JSON; %p → pid). SQLite deployments only.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const out = process.env.KLANG_BENCH_SQL_TIMING?.replace('%p', String(process.pid));
const require = createRequire(join(process.cwd(), 'packages', 'server', 'package.json'));
const Database = require('better-sqlite3');
const probe = new Database(':memory:');
const statementProto = Object.getPrototypeOf(probe.prepare('SELECT 1'));
probe.close();

const timings = new Map();
let prepares = 0;
for (const method of ['all', 'run', 'get', 'iterate']) {
  const original = statementProto[method];
  statementProto[method] = function timed(...args) {
    const started = performance.now();
    try {
      return original.apply(this, args);
    } finally {
      const entry = timings.get(this.source) ?? { calls: 0, ms: 0 };
      entry.calls++;
      entry.ms += performance.now() - started;
      timings.set(this.source, entry);
    }
  };
}
const originalPrepare = Database.prototype.prepare;
Database.prototype.prepare = function countedPrepare(...args) {
  prepares++;
  return originalPrepare.apply(this, args);
};

process.on('exit', () => {
  if (!out) return;
  const statements = [...timings]
    .map(([sql, t]) => ({
      ms: Math.round(t.ms),
      calls: t.calls,
      usPerCall: Math.round((1000 * t.ms) / t.calls),
      sql: sql.replace(/\s+/g, ' ').slice(0, 400),
    }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 30);
  const totals = [...timings.values()].reduce(
    (sum, t) => ({ calls: sum.calls + t.calls, ms: sum.ms + t.ms }),
    { calls: 0, ms: 0 },
  );
  writeFileSync(
    out,
    `${JSON.stringify({ prepares, executions: totals.calls, executionMs: Math.round(totals.ms), statements }, null, 2)}\n`,
  );
});
