#!/usr/bin/env node
// One-off check of the claim statement's cost against the size of the due backlog (SQLite, in
// memory). The statement copies the shape of claimIds() in packages/server/src/db/repos/queue-repo.ts
// at commit 4666896 (SELECT part only) with the same indexes; re-copy it when that changes.
//
//   node bench/claim-scan.mjs [--rows 4000,40000]
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const require = createRequire(new URL('../packages/server/package.json', import.meta.url));
const Database = require('better-sqlite3');
const { values } = parseArgs({ options: { rows: { type: 'string', default: '4000,40000' } } });

const claim = (exclude, limit) => `
  WITH candidates AS (
    SELECT d.id, d.webhook_id, d.next_attempt_at FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
    WHERE d.status = 'pending' AND d.next_attempt_at <= 1e12
      AND (d.locked_until IS NULL OR d.locked_until < 5) AND w.status = 'active' ${exclude}
    ORDER BY d.next_attempt_at LIMIT ${Math.min(limit * 4, 5000)}),
  ranked AS (SELECT id, next_attempt_at,
    row_number() OVER (PARTITION BY webhook_id ORDER BY next_attempt_at, id) AS rn FROM candidates),
  chosen AS (SELECT id FROM ranked WHERE rn <= 8 ORDER BY next_attempt_at, id LIMIT ${limit})
  SELECT count(*) AS n FROM chosen`;

const cases = [
  ['limit 200, none excluded', '', 200],
  ['limit 4, none excluded', '', 4],
  ['limit 4, 3 of 4 webhooks excluded', "AND d.webhook_id NOT IN ('w1','w2','w3')", 4],
  ['limit 4, all 4 webhooks excluded', "AND d.webhook_id NOT IN ('w1','w2','w3','w4')", 4],
];

for (const rows of values.rows.split(',').map(Number)) {
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE webhooks (id TEXT PRIMARY KEY, status TEXT);
    CREATE TABLE deliveries (id TEXT PRIMARY KEY, event_id TEXT, webhook_id TEXT, status TEXT,
      next_attempt_at INTEGER, locked_until INTEGER, locked_by TEXT);
    CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
    CREATE INDEX deliveries_webhook ON deliveries (webhook_id, status);`);
  for (const id of ['w1', 'w2', 'w3', 'w4'])
    db.prepare('INSERT INTO webhooks VALUES (?, ?)').run(id, 'active');
  const insert = db.prepare('INSERT INTO deliveries VALUES (?, ?, ?, ?, ?, NULL, NULL)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run(`d${i}`, `e${i}`, `w${1 + (i % 4)}`, 'pending', 1000 + i);
  })();
  for (const [name, exclude, limit] of cases) {
    const statement = db.prepare(claim(exclude, limit));
    statement.get();
    const started = performance.now();
    let found = 0;
    for (let i = 0; i < 50; i++) found = statement.get().n;
    const us = Math.round(((performance.now() - started) / 50) * 1000);
    process.stdout.write(`${rows} due rows, ${name}: ${us} µs, ${found} rows chosen\n`);
  }
  db.close();
}
