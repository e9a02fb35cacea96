// WAL checkpoints of a long-running SQLite process, off the event loop: the serving connection stops
// checkpointing itself (the copy and fsync would stall every request behind the commit that crossed
// the threshold) and a worker thread with its own connection runs PASSIVE checkpoints, which never
// block writers. SQLite starts the WAL over only at a commit that follows a checkpoint no commit
// overlapped, which one PASSIVE pass under steady commits never is: so once the WAL has grown, the
// thread chases — passes back to back, each shorter than the last, until one found nothing new —
// and only if the WAL has not started over for a second does a pass run with the serving connection
// held. Otherwise every commit would append to an ever larger file. Should the thread die, the
// serving connection checkpoints itself.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

/** SQLite's own default threshold (pages), restored if the thread stops. */
const AUTOCHECKPOINT_PAGES = 1000;
/** A WAL of this many frames (~4 MiB) is chased until it starts over. */
export const RESTART_FRAMES = 1000;
/** Passes back to back in one chase at most. */
const CHASE_PASSES = 6;
/** A grown WAL that has not started over for this long gets a pass with the connection held. */
export const HOLD_AFTER_MS = 1000;
/** A WAL that grew past this (a reader held it, a burst) is cut back to it when started over. */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
// The WAL header's checkpoint sequence and first salt: SQLite changes them whenever it starts over.
const fs = require('node:fs');
const header = Buffer.alloc(8);
const generation = () => {
  try {
    const fd = fs.openSync(workerData.file + '-wal', 'r');
    try {
      return fs.readSync(fd, header, 0, 8, 12) === 8 ? header.toString('hex') : '';
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
};
const checkpoint = () => {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    return { log: result.log, checkpointed: result.checkpointed };
  } catch (error) {
    return { error: String(error) };
  }
};
// Stops at a pass that finds no frame beyond those the one before saw: no commit overlapped that
// one, which copied everything, so the next commit that begins starts the WAL over.
const chase = () => {
  let last = checkpoint();
  if (last.error || last.log < workerData.restartFrames) return last;
  for (let passes = 1; passes < workerData.chasePasses; passes++) {
    const next = checkpoint();
    if (next.error) return next;
    const clean = next.log <= last.log && next.checkpointed === next.log;
    last = next;
    if (clean) break;
  }
  return last;
};
parentPort.on('message', (message) => {
  if (message === 'checkpoint' || message === 'chase') {
    const pass = message === 'chase' ? chase() : checkpoint();
    return parentPort.postMessage(pass.error ? pass : { ...pass, generation: generation() });
  }
  checkpoint();
  db.close();
  parentPort.close();
});
`;

/**
 * What the thread found: frames in the WAL, frames copied into the database, and which start of the
 * WAL it is (changes whenever SQLite starts it over).
 */
export type Pass = { log: number; checkpointed: number; generation: string } | { error: string };

export interface CheckpointerOptions {
  intervalMs?: number;
  /** Passes in one chase at most (default 6; 1 never chases, so growth is cut by held passes). */
  chasePasses?: number;
  /** How long a grown WAL may go without starting over before a held pass (default 1 s). */
  holdAfterMs?: number;
  onProblem?: (message: string) => void;
  /** Runs `work` while no other statement can run on the serving connection. */
  hold?: (work: () => Promise<void>) => Promise<void>;
}

export interface Checkpointer {
  stop(): Promise<void>;
}

/** Whether a WAL that has not started over for `sinceStartMs` gets a pass with the connection held. */
export function wantsHold(pass: Pass, sinceStartMs: number, holdAfterMs = HOLD_AFTER_MS): boolean {
  return !('error' in pass) && pass.log >= RESTART_FRAMES && sinceStartMs >= holdAfterMs;
}

export function startCheckpointer(
  sqlite: SQLite.Database,
  file: string,
  options: CheckpointerOptions = {},
): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: {
      driver,
      file,
      restartFrames: RESTART_FRAMES,
      chasePasses: options.chasePasses ?? CHASE_PASSES,
    },
  });
  sqlite.pragma('wal_autocheckpoint = 0');
  sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopping = false;
  let ended = false;
  let answer: ((pass: Pass) => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let generation: string | undefined;
  let startedAt = Date.now();

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

  const pass = (kind: 'checkpoint' | 'chase'): Promise<Pass> =>
    new Promise((resolve) => {
      if (ended) return resolve({ error: 'the WAL checkpoint thread has stopped' });
      answer = resolve;
      worker.ref(); // a pass under way (perhaps with the connection held) keeps the process up
      worker.postMessage(kind);
    });

  async function cycle(): Promise<void> {
    timer = undefined;
    if (stopping || ended) return;
    const first = await pass('chase');
    if ('error' in first) {
      if (!ended) options.onProblem?.(`WAL checkpoint failed: ${first.error}`);
    } else if (first.generation !== generation) {
      generation = first.generation;
      startedAt = Date.now();
    } else if (
      wantsHold(first, Date.now() - startedAt, options.holdAfterMs) &&
      options.hold &&
      !stopping &&
      !ended
    ) {
      await options.hold(async () => {
        const last = await pass('checkpoint');
        if ('error' in last && !ended) options.onProblem?.(`WAL checkpoint failed: ${last.error}`);
      });
      startedAt = Date.now(); // the next commit starts it over
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
