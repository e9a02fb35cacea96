// Fills a migrated SQLite file with one webhook's history in SQL (a recursive CTE): N events, their
// deliveries and one attempt each, copied from a real delivered attempt with ids, times, durations
// and outcomes varied (1 % answered 410, failed as `gone`), and the hourly stats rows they add up to.
import Database from 'better-sqlite3';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const base32 = (value, digits) => {
  let out = '';
  let rest = value;
  for (let i = 0; i < digits; i++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
};
/** A ULID-shaped id body: 10 characters of time, 16 from the row number and a salt (unique per table). */
const ulidOf = (ms, i, salt) => base32(ms, 10) + base32(i, 8) + base32((i * 2654435761 + salt) % 2 ** 40, 8);

const HOUR_MS = 3_600_000;

/** INSERT … SELECT of every column of `table`, each from `overrides` or else the template row `tpl`. */
function copyInsert(db, table, overrides, from) {
  const columns = db.pragma(`table_info(${table})`).map((c) => c.name);
  const values = columns.map((c) => overrides[c] ?? `tpl.${c}`);
  return `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${values.join(', ')} FROM ${from}`;
}

/** The hourly rollup of `webhookId`'s attempts, recomputed the way the engine folds them. */
function rebuildStats(db, webhookId) {
  const columns = db.pragma('table_info(webhook_stats_hourly)').map((c) => c.name);
  const kind = `CASE WHEN outcome = 'succeeded' THEN NULL
    WHEN response_status BETWEEN 300 AND 399 THEN 'redirect'
    WHEN response_status BETWEEN 400 AND 499 THEN 'client_error' ELSE 'server_error' END`;
  const answered = 'response_status IS NOT NULL';
  const bounds = columns.filter((c) => /^response_le_\d+$/.test(c)).map((c) => Number(c.slice(12)));
  const expression = (column) => {
    if (column === 'webhook_id') return 'webhook_id';
    if (column === 'hour') return `(created_at / ${HOUR_MS}) * ${HOUR_MS}`;
    if (column === 'succeeded') return "sum(outcome = 'succeeded')";
    if (column === 'failed') return "sum(outcome = 'failed')";
    if (column === 'response_ms_sum') return `sum(CASE WHEN ${answered} THEN duration_ms ELSE 0 END)`;
    if (column === 'response_count') return `sum(${answered})`;
    if (column === 'response_le_inf') return `sum(${answered} AND duration_ms > ${Math.max(...bounds)})`;
    if (column.startsWith('response_le_')) {
      const bound = Number(column.slice(12));
      const lower = Math.max(0, ...bounds.filter((b) => b < bound));
      return `sum(${answered} AND duration_ms <= ${bound} AND (${lower} = 0 OR duration_ms > ${lower}))`;
    }
    if (column.startsWith('failed_')) return `sum(coalesce(${kind} = '${column.slice(7)}', 0))`;
    throw new Error(`webhook_stats_hourly.${column}: no rule to fill it`);
  };
  db.prepare('DELETE FROM webhook_stats_hourly WHERE webhook_id = ?').run(webhookId);
  db.prepare(
    `INSERT INTO webhook_stats_hourly (${columns.join(', ')})
     SELECT ${columns.map(expression).join(', ')} FROM attempts WHERE webhook_id = ? GROUP BY 2`,
  ).run(webhookId);
}

/**
 * Adds `count` attempts (and their events and deliveries) of the webhook of the one delivered
 * attempt in `file`, spread evenly over the `spanMs` before `now`; returns counts and timings.
 */
export function seedAttempts(file, { count, now = Date.now(), spanMs = 23 * HOUR_MS }) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.function('bench_id', { deterministic: true }, (ms, i, salt) => ulidOf(ms, i, salt));
  const template = db.prepare("SELECT * FROM attempts WHERE outcome = 'succeeded' LIMIT 1").get();
  if (!template) throw new Error('no delivered attempt to copy');
  const t0 = Date.now();
  const start = now - spanMs;
  db.exec(`CREATE TEMP TABLE seq AS
    WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < ${count})
    SELECT i, ${start} + (i * ${spanMs}) / ${count} AS t,
      'evt_' || bench_id(${start} + (i * ${spanMs}) / ${count}, i, 1) AS event_id,
      'dlv_' || bench_id(${start} + (i * ${spanMs}) / ${count}, i, 2) AS delivery_id,
      'att_' || bench_id(${start} + (i * ${spanMs}) / ${count}, i, 3) AS attempt_id,
      abs(random()) % 100 = 0 AS gone,
      CASE WHEN abs(random()) % 50 = 0 THEN 100 + abs(random()) % 900 ELSE 1 + abs(random()) % 40 END AS ms
    FROM s`);
  const eventsFrom = `seq, (SELECT * FROM events WHERE id = '${template.event_id}') AS tpl`;
  const deliveriesFrom = `seq, (SELECT * FROM deliveries WHERE id = '${template.delivery_id}') AS tpl`;
  const attemptsFrom = `seq, (SELECT * FROM attempts WHERE id = '${template.id}') AS tpl`;
  const iso = "strftime('%Y-%m-%dT%H:%M:%fZ', seq.t / 1000.0, 'unixepoch')";
  const fill = db.transaction(() => {
    db.exec(
      copyInsert(
        db,
        'events',
        {
          id: 'seq.event_id',
          payload: `json_set(tpl.payload, '$.id', seq.event_id, '$.created_at', ${iso})`,
          created_at: 'seq.t',
        },
        eventsFrom,
      ),
    );
    db.exec(
      copyInsert(
        db,
        'deliveries',
        {
          id: 'seq.delivery_id',
          event_id: 'seq.event_id',
          status: "CASE WHEN seq.gone THEN 'failed' ELSE 'succeeded' END",
          status_reason: "CASE WHEN seq.gone THEN 'gone' ELSE NULL END",
          attempts: '1',
          next_attempt_at: 'seq.t',
          locked_until: 'NULL',
          locked_by: 'NULL',
          created_at: 'seq.t',
          updated_at: 'seq.t + seq.ms',
        },
        deliveriesFrom,
      ),
    );
    db.exec(
      copyInsert(
        db,
        'attempts',
        {
          id: 'seq.attempt_id',
          delivery_id: 'seq.delivery_id',
          event_id: 'seq.event_id',
          attempt: '1',
          outcome: "CASE WHEN seq.gone THEN 'failed' ELSE 'succeeded' END",
          error: "CASE WHEN seq.gone THEN 'http_status' ELSE NULL END",
          error_message: "CASE WHEN seq.gone THEN 'HTTP 410' ELSE NULL END",
          response_status: 'CASE WHEN seq.gone THEN 410 ELSE tpl.response_status END',
          duration_ms: 'seq.ms',
          next_retry_at: 'NULL',
          created_at: 'seq.t',
        },
        attemptsFrom,
      ),
    );
    rebuildStats(db, template.webhook_id);
  });
  fill();
  const insertSeconds = (Date.now() - t0) / 1000;
  const counts = Object.fromEntries(
    ['events', 'deliveries', 'attempts', 'webhook_stats_hourly'].map((table) => [
      table,
      db.prepare(`SELECT count(*) AS n FROM ${table}`).get().n,
    ]),
  );
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return { webhookId: template.webhook_id, counts, insertSeconds, seconds: (Date.now() - t0) / 1000 };
}
