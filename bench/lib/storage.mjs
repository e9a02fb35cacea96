// What the attempt log costs on disk in a SQLite deployment: bytes per attempt row in the table and
// in its indexes, read from SQLite's `dbstat` (pages in use, free space within them included).
import Database from 'better-sqlite3';
import { round } from './deployments.mjs';

const ATTEMPT_INDEXES = [
  'attempts_webhook',
  'attempts_delivery',
  'attempts_created',
  'sqlite_autoindex_attempts_1',
];

/** Bytes per attempt of the `attempts` table and of its indexes, and the rows counted. */
export function attemptStorage(file) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT count(*) AS n FROM attempts').get().n;
    const size = (names) =>
      db
        .prepare(
          `SELECT coalesce(sum(pgsize), 0) AS bytes FROM dbstat WHERE name IN (${names.map(() => '?').join(', ')})`,
        )
        .get(...names).bytes;
    const perRow = (bytes) => round(bytes / Math.max(1, rows));
    return {
      rows,
      tableBytesPerRow: perRow(size(['attempts'])),
      indexBytesPerRow: perRow(size(ATTEMPT_INDEXES)),
    };
  } finally {
    db.close();
  }
}
