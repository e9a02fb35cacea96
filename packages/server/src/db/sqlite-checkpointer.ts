// WAL checkpoints of a long-running SQLite process, off the event loop: the serving connection stops
// checkpointing itself (the copy and fsync would stall every request behind the commit that crossed
// the threshold) and a worker thread with its own connection runs PASSIVE checkpoints, which never
// block writers. Should the thread die, the serving connection checkpoints itself again.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** SQLite's own default threshold (pages), restored if the thread stops. */
const AUTOCHECKPOINT_PAGES = 1000;

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage(String(error)); }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); checkpoint(); db.close(); parentPort.close(); });
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(
  sqlite: SQLite.Database,
  file: string,
  options: { intervalMs?: number; onProblem?: (message: string) => void } = {},
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { driver, file, intervalMs: options.intervalMs ?? 250 },
  });
  sqlite.pragma('wal_autocheckpoint = 0');
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopping = false;
  let fellBack = false;
  const fallBack = (why: string) => {
    if (stopping || fellBack || !sqlite.open) return;
    fellBack = true;
    sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    options.onProblem?.(`${why}; checkpointing on the serving connection again`);
  };
  worker.on('message', (message: string) => options.onProblem?.(`WAL checkpoint failed: ${message}`));
  worker.on('error', (error) => fallBack(`the WAL checkpoint thread failed: ${error.message}`));
  worker.on('exit', () => fallBack('the WAL checkpoint thread stopped'));
  worker.unref();
  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      worker.postMessage('stop'); // ignored by a thread that already ended; `exited` is then settled
      await exited;
      if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    },
  };
}
