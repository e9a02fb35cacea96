// Kysely's SQLite dialect, with one correction: SQLite rolls a transaction back by itself after some
// errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY…); a ROLLBACK then fails with "no transaction is
// active" and would hide the original error — which says "disk full, retry later" (503), not a bug.
import type SQLite from 'better-sqlite3';
import { type DatabaseConnection, type Driver, type SqliteDatabase, SqliteDialect } from 'kysely';

/** `database` is what Kysely runs statements on (e.g. a statement cache over `sqlite`). */
export function sqliteDialect(sqlite: SQLite.Database, database: SqliteDatabase): SqliteDialect {
  return new (class extends SqliteDialect {
    override createDriver(): Driver {
      const driver = super.createDriver();
      const rollback = driver.rollbackTransaction.bind(driver);
      driver.rollbackTransaction = async (connection: DatabaseConnection) => {
        if (sqlite.inTransaction) await rollback(connection);
      };
      return driver;
    }
  })({ database });
}
