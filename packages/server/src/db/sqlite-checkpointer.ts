// WAL checkpoints of a long-running SQLite process, off the event loop: the serving connection stops
// checkpointing itself (the copy and fsync would stall every request behind the commit that crossed
// the threshold) and a worker thread with its own connection runs PASSIVE checkpoints, which never
// block writers. A PASSIVE checkpoint cannot catch up with a connection that commits every
// millisecond, and SQLite starts the WAL over only once it has: so when the WAL has grown, one
// checkpoint runs with the serving connection held (no commit in between, a pause of the last
// frames' copy and one fsync), and the next commit writes from the WAL's start again instead of
// appending to an ever larger file. Should the thread die, the serving connection checkpoints itself.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** SQLite's own default threshold (pages), restored if the thread stops. */
const AUTOCHECKPOINT_PAGES = 1000;
/** A WAL of this many frames (~4 MiB) is started over at the next checkpoint. */
export const RESTART_FRAMES = 1000;
/** A WAL that grew past this (a reader held it, a burst) is cut back to it when started over. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const checkpoint = () => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    return { log: result.log, checkpointed: result.checkpointed };
  } catch (error) {
    return { error: String(error) };
  }
};
parentPort.on('message', (message) => {
  if (message !== 'stop') return parentPort.postMessage(checkpoint());
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/** What one PASSIVE checkpoint found: frames in the WAL and frames copied into the database. */
type Pass = { log: number; checkpointed: number } | { error: string };

export interface CheckpointerOptions {
  intervalMs?: number;
  onProblem?: (message: string) => void;
  /** Runs `work` while no other statement can run on the serving connection. */
  hold?: (work: () => Promise<void>) => Promise<void>;
}

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * Whether the WAL has grown enough to be started over. The unheld pass has copied the bulk by then;
 * the held one copies only what was committed while it ran.
 */
export function wantsRestart(pass: Pass): boolean {
  return !('error' in pass) && pass.log >= RESTART_FRAMES;
}

export function startCheckpointer(
  sqlite: SQLite.Database,
  file: string,
  options: CheckpointerOptions = {},
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, { eval: true, workerData: { driver, file } });
  sqlite.pragma('wal_autocheckpoint = 0');
  sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopping = false;
  let ended = false;
  let answer: ((pass: Pass) => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  const fallBack = (why: string) => {
    ended = true;
    answer?.({ error: why });
    if (stopping || !sqlite.open) return;
    sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    options.onProblem?.(`${why}; checkpointing on the serving connection again`);
  };
  worker.on('message', (pass: Pass) => {
    const settle = answer;
    answer = undefined;
    worker.unref();
    settle?.(pass);
  });
  worker.on('error', (error) => fallBack(`the WAL checkpoint thread failed: ${error.message}`));
  worker.on('exit', () => fallBack('the WAL checkpoint thread stopped'));
  worker.unref();

  const pass = (): Promise<Pass> =>
    new Promise((resolve) => {
      answer = resolve;
      worker.ref(); // a pass under way (perhaps with the connection held) keeps the process up
      worker.postMessage('checkpoint');
    });

  async function cycle(): Promise<void> {
    timer = undefined;
    if (stopping || ended) return;
    const first = await pass();
    if ('error' in first) {
      if (!ended) options.onProblem?.(`WAL checkpoint failed: ${first.error}`);
    } else if (wantsRestart(first) && options.hold && !stopping && !ended) {
      await options.hold(async () => {
        const last = await pass();
        if ('error' in last && !ended) options.onProblem?.(`WAL checkpoint failed: ${last.error}`);
      });
    }
    if (!stopping && !ended) timer = setTimeout(() => void cycle(), options.intervalMs ?? 250).unref();
  }
  timer = setTimeout(() => void cycle(), options.intervalMs ?? 250).unref();

  return {
    async stop() {
      if (stopping) return;
      stopping = true;
      if (timer) clearTimeout(timer);
      worker.ref();
      worker.postMessage('stop'); // ignored by a thread that already ended; `exited` is then settled
      await exited;
      if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    },
  };
}
