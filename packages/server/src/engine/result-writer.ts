// Group commit of delivery results: results submitted within a short linger, or while a write is
// running, are written together in one transaction. Fault-isolated: a batch that fails is written
// row by row, and a row the database still refuses is replaced by its fallback (a failed attempt).
// While the database itself is unreachable, results wait and are retried until it is back.
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import type { Logger } from '../logger.ts';

export interface ResultWriter<T> {
  /**
   * Resolves true once written, false when the write kept failing for another reason than an
   * unreachable database (the lease then expires); while the database is down it keeps retrying.
   */
  submit(result: T): Promise<boolean>;
  /** Resolves when everything submitted so far has been written or given up. */
  drain(): Promise<void>;
  /** Results submitted and not yet written. */
  backlog(): number;
}

export interface ResultWriterOptions<T> {
  /** What to write instead of a result the database refuses on its own; undefined: nothing. */
  fallback?: (result: T, error: unknown) => T | undefined;
  lingerMs?: number;
}

interface Entry<T> {
  result: T;
  done: (ok: boolean) => void;
}

const RETRY_DELAYS_MS = [50, 250, 1_000, 3_000];
/** Between retries while the database is down (restart, failover): it comes back, then all is written. */
const UNAVAILABLE_RETRY_MS = 2_000;
const MAX_BATCH = 500;

export function createResultWriter<T>(
  write: (batch: T[]) => Promise<unknown>,
  logger: Logger,
  options: ResultWriterOptions<T> = {},
): ResultWriter<T> {
  const lingerMs = options.lingerMs ?? 6;
  let pending: Entry<T>[] = [];
  let running: Promise<void> | undefined;

  const attempt = async (batch: T[]): Promise<unknown> => {
    try {
      await write(batch);
      return undefined;
    } catch (error) {
      return error ?? new Error('write failed');
    }
  };

  /** One result alone, then its fallback; returns the error when neither could be written. */
  async function writeAlone(entry: Entry<T>): Promise<unknown> {
    const error = await attempt([entry.result]);
    if (error === undefined) return undefined;
    // A database that cannot be reached refuses every row alike: nothing to isolate, wait for it.
    if (isDatabaseUnavailable(error)) return error;
    const replacement = options.fallback?.(entry.result, error);
    if (replacement === undefined || (await attempt([replacement])) !== undefined) return error;
    logger.error({ err: error }, 'a delivery result could not be stored; recorded as a failed attempt');
    return undefined;
  }

  /** Writes the batch; on failure row by row; what still fails (the database itself) is retried. */
  async function writeIsolated(batch: Entry<T>[]): Promise<void> {
    let left = batch;
    for (let retry = 0; ; retry++) {
      if (left.length > 1 && (await attempt(left.map((entry) => entry.result))) === undefined) {
        for (const entry of left) entry.done(true);
        return;
      }
      const failed: Entry<T>[] = [];
      let error: unknown;
      for (const entry of left) {
        const refused = await writeAlone(entry);
        if (refused === undefined) entry.done(true);
        else {
          error = refused;
          failed.push(entry);
        }
      }
      left = failed;
      if (left.length === 0) return;
      const delay = isDatabaseUnavailable(error)
        ? Math.min(RETRY_DELAYS_MS[retry] ?? UNAVAILABLE_RETRY_MS, UNAVAILABLE_RETRY_MS)
        : RETRY_DELAYS_MS[retry];
      if (delay === undefined) {
        logger.error(
          { err: error, results: left.length },
          'could not record delivery results; leases will expire',
        );
        for (const entry of left) entry.done(false);
        return;
      }
      logger.warn({ err: error, retryInMs: delay }, 'recording delivery results failed; retrying');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  async function run(): Promise<void> {
    if (pending.length < MAX_BATCH) await new Promise((resolve) => setTimeout(resolve, lingerMs));
    while (pending.length > 0) {
      const batch = pending.slice(0, MAX_BATCH);
      pending = pending.slice(batch.length);
      await writeIsolated(batch);
    }
    running = undefined;
  }

  return {
    submit(result) {
      return new Promise<boolean>((done) => {
        pending.push({ result, done });
        running ??= run();
      });
    },
    async drain() {
      while (running) await running;
    },
    backlog: () => pending.length,
  };
}
