// One delivery worker per SQLite file: a lock file beside the database names the holding process.
// A lock left by a process that no longer runs (a crash) is taken over; PostgreSQL needs no lock.
import { closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import type { DatabaseHandle } from './connect.ts';

export interface WorkerLock {
  release(): void;
}

const heldHere = new Set<string>();

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the worker lock of a SQLite database; throws when another live process holds it. */
export function acquireWorkerLock(database: DatabaseHandle): WorkerLock {
  const file = database.file;
  if (database.dialect !== 'sqlite' || !file) return { release() {} };
  const lock = `${file}.worker.lock`;
  const refuse = (holder: string) =>
    new Error(
      `another delivery worker (${holder}) is running on ${file}; run one worker per SQLite database, or use PostgreSQL for several`,
    );
  if (heldHere.has(lock)) throw refuse('in this process');
  try {
    const fd = openSync(lock, 'wx', 0o600);
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const pid = Number(readFileSync(lock, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid)) throw refuse(`pid ${pid}`);
    writeFileSync(lock, `${process.pid}\n`, { mode: 0o600 }); // the holder is gone: take it over
  }
  heldHere.add(lock);
  return {
    release() {
      if (!heldHere.delete(lock)) return;
      rmSync(lock, { force: true });
    },
  };
}
