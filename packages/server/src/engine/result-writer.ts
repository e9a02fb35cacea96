// Group commit of delivery results: results submitted within a short linger, or while a write is
// running, are written together in one transaction. A submitter's promise settles once its result
// is durable (or given up).
import type { Logger } from '../logger.ts';

export interface ResultWriter<T> {
  /** Resolves true once written, false when the write failed after retries (the lease then expires). */
  submit(result: T): Promise<boolean>;
  /** Resolves when everything submitted so far has been written or given up. */
  drain(): Promise<void>;
  /** Results submitted and not yet written. */
  backlog(): number;
}

const RETRY_DELAYS_MS = [50, 250, 1_000, 3_000];
const MAX_BATCH = 500;

export function createResultWriter<T>(
  write: (batch: T[]) => Promise<unknown>,
  logger: Logger,
  lingerMs = 2,
): ResultWriter<T> {
  let pending: { result: T; done: (ok: boolean) => void }[] = [];
  let running: Promise<void> | undefined;

  async function writeWithRetry(batch: T[]): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await write(batch);
        return true;
      } catch (error) {
        const delay = RETRY_DELAYS_MS[attempt];
        if (delay === undefined) {
          logger.error(
            { err: error, results: batch.length },
            'could not record delivery results; leases will expire',
          );
          return false;
        }
        logger.warn({ err: error, retryInMs: delay }, 'recording delivery results failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  async function run(): Promise<void> {
    if (pending.length < MAX_BATCH) await new Promise((resolve) => setTimeout(resolve, lingerMs));
    while (pending.length > 0) {
      const batch = pending.slice(0, MAX_BATCH);
      pending = pending.slice(batch.length);
      const ok = await writeWithRetry(batch.map((entry) => entry.result));
      for (const entry of batch) entry.done(ok);
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
