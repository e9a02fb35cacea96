// Online backup of the embedded SQLite database through SQLite's backup API: consistent while the
// service keeps writing (WAL). PostgreSQL is backed up with its own tools (pg_dump, base backups).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import SQLite from 'better-sqlite3';

export class BackupRefused extends Error {}

/** Copies the database of `databaseUrl` into `target` (which must not exist); returns the page count. */
export async function backupDatabase(databaseUrl: string, target: string): Promise<{ pages: number }> {
  if (!databaseUrl.startsWith('sqlite:')) {
    throw new BackupRefused(
      'backup copies the embedded SQLite database only; on PostgreSQL use pg_dump (or base backups) and keep KLANG_SECRET_KEY with them',
    );
  }
  const source = resolve(databaseUrl.slice('sqlite:'.length));
  const destination = resolve(target);
  if (!existsSync(source)) throw new BackupRefused(`no database at ${source}`);
  if (existsSync(destination)) throw new BackupRefused(`${destination} exists; choose a new file`);
  const db = new SQLite(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const { totalPages } = await db.backup(destination);
    return { pages: totalPages };
  } finally {
    db.close();
  }
}
