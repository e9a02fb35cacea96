// The service's SQLite connection leaves WAL checkpoints to a background thread: its own commits
// never checkpoint (wal_autocheckpoint 0), yet written pages reach the database file, the WAL starts
// over under continuous commits instead of growing, and closing stops the thread.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../src/db/connect.ts';
import {
  HOLD_AFTER_MS,
  RESTART_FRAMES,
  startCheckpointer,
  wantsHold,
} from '../../src/db/sqlite-checkpointer.ts';
import { waitFor } from '../engine/support/receiver.ts';

let dir: string;
let handle: DatabaseHandle | undefined;
afterEach(async () => {
  await handle?.close();
  handle = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function fill(database: DatabaseHandle): Promise<void> {
  await sql`CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`.execute(database.db);
  const body = 'x'.repeat(4_000);
  for (let batch = 0; batch < 20; batch++) {
    await database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 100; i++) await sql`INSERT INTO filler (body) VALUES (${body})`.execute(trx);
    });
  }
}

it('checkpoints in the background, never in the committing connection', async () => {
  dir = mkdtempSync(join(tmpdir(), 'klang-checkpoint-'));
  const file = join(dir, 'klang.db');
  handle = connectDatabase(`sqlite:${file}`, { backgroundCheckpoint: true });
  const setting = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(handle.db);
  expect(setting.rows[0]?.wal_autocheckpoint).toBe(0);
  await fill(handle);
  // About 8 MB went into the WAL; the thread copies it into the database file.
  await waitFor(() => statSync(file).size > 6_000_000, 10_000, 'the checkpoint thread');
  await handle.close();
  handle = undefined;
});

/**
 * A commit about every millisecond, as under load, each rewriting the same rows: the database stays
 * under 1 MB while more than 64 MB of frames (four pages or more a commit) go through the WAL.
 * Returns the WAL's largest size.
 */
async function commitSteadily(file: string, commitOnce: (ids: number[], body: string) => Promise<void>) {
  const body = 'x'.repeat(4_000);
  let largestWal = 0;
  for (let commit = 0; commit < 4_000; commit++) {
    await commitOnce(
      [0, 1, 2, 3].map((row) => (commit % 50) * 4 + row),
      body,
    );
    largestWal = Math.max(largestWal, statSync(`${file}-wal`).size);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  expect(statSync(file).size).toBeLessThan(1024 * 1024);
  return largestWal;
}

// Appended to, the WAL would hold every frame; started over, what a few checkpoint cycles write.
const STARTED_OVER = 24 * 1024 * 1024;

it('under commits that never pause, the WAL starts over instead of growing', async () => {
  dir = mkdtempSync(join(tmpdir(), 'klang-checkpoint-'));
  const file = join(dir, 'klang.db');
  handle = connectDatabase(`sqlite:${file}`, { backgroundCheckpoint: true });
  const { db } = handle;
  await sql`CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`.execute(db);
  const largestWal = await commitSteadily(file, (ids, body) =>
    db.transaction().execute(async (trx) => {
      for (const id of ids)
        await sql`INSERT OR REPLACE INTO filler (id, body) VALUES (${id}, ${body})`.execute(trx);
    }),
  );
  expect(largestWal).toBeLessThan(STARTED_OVER);
}, 30_000);

it('when chasing cannot start the WAL over, a pass with the connection held does', async () => {
  dir = mkdtempSync(join(tmpdir(), 'klang-checkpoint-'));
  const file = join(dir, 'klang.db');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  // The connection's lock: commits wait while a held pass runs.
  let held: Promise<void> = Promise.resolve();
  let holds = 0;
  const checkpointer = startCheckpointer(sqlite, file, {
    chasePasses: 1,
    holdAfterMs: 500,
    hold: (work) => {
      holds++;
      const done = held.then(work);
      held = done;
      return done;
    },
  });
  const write = sqlite.prepare('INSERT OR REPLACE INTO filler (id, body) VALUES (?, ?)');
  const commit = sqlite.transaction((ids: number[], body: string) => {
    for (const id of ids) write.run(id, body);
  });
  const largestWal = await commitSteadily(file, async (ids, body) => {
    await held;
    commit(ids, body);
  });
  expect(holds).toBeGreaterThan(0);
  expect(largestWal).toBeLessThan(STARTED_OVER);
  await checkpointer.stop();
  sqlite.close();
}, 30_000);

it('holds the connection only for a grown WAL that has not started over for a while', () => {
  const grown = { log: RESTART_FRAMES, checkpointed: RESTART_FRAMES, generation: 'a' };
  expect(wantsHold(grown, HOLD_AFTER_MS)).toBe(true);
  expect(wantsHold(grown, HOLD_AFTER_MS - 1)).toBe(false);
  expect(wantsHold({ ...grown, log: RESTART_FRAMES - 1 }, HOLD_AFTER_MS)).toBe(false);
  expect(wantsHold({ error: 'SQLITE_BUSY' }, HOLD_AFTER_MS)).toBe(false);
});

it('without it (one-off commands), SQLite checkpoints as usual', async () => {
  dir = mkdtempSync(join(tmpdir(), 'klang-checkpoint-'));
  handle = connectDatabase(`sqlite:${join(dir, 'klang.db')}`);
  const setting = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(handle.db);
  expect(setting.rows[0]?.wal_autocheckpoint).toBe(1000);
});

it('when the thread cannot run, the connection checkpoints itself again and stopping still ends', async () => {
  dir = mkdtempSync(join(tmpdir(), 'klang-checkpoint-'));
  const sqlite = new SQLite(join(dir, 'klang.db'));
  sqlite.pragma('journal_mode = WAL');
  const problems: string[] = [];
  // The thread is pointed at a file that does not exist, so it fails at once.
  const checkpointer = startCheckpointer(sqlite, join(dir, 'missing.db'), {
    onProblem: (message) => problems.push(message),
  });
  await waitFor(() => problems.length > 0, 10_000, 'the reported problem');
  expect(problems[0]).toMatch(/checkpointing on the serving connection again/);
  expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  await checkpointer.stop();
  sqlite.close();
});
