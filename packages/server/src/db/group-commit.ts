// Group commit for short write transactions. On SQLite (one connection, one writer) the work that
// queues up while a transaction runs is committed together in the next one, so many requests share
// one commit; if that batch fails, each piece of work runs again alone so one failure stays its own.
// On PostgreSQL each piece of work gets its own transaction (the pool already runs them in parallel).
import type { Kysely, Transaction } from 'kysely';
import type { Dialect } from './dialect.ts';
import type { Database } from './tables.ts';

export type TransactionWork<T> = (trx: Transaction<Database>) => Promise<T>;

interface Job {
  work: TransactionWork<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

const MAX_BATCH = 128;

export function createGroupCommit(db: Kysely<Database>, dialect: Dialect) {
  const queue: Job[] = [];
  let draining = false;

  const alone = (job: Job) => db.transaction().execute(job.work).then(job.resolve, job.reject);

  async function drain(): Promise<void> {
    draining = true;
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      if (batch.length === 1) {
        await alone(batch[0]!);
        continue;
      }
      try {
        const results = await db.transaction().execute(async (trx) => {
          const out: unknown[] = [];
          for (const job of batch) out.push(await job.work(trx));
          return out;
        });
        for (const [i, job] of batch.entries()) job.resolve(results[i]);
      } catch {
        for (const job of batch) await alone(job);
      }
    }
    draining = false;
  }

  return {
    /** Runs `work` in a transaction, possibly shared with other work; resolves after the commit. */
    run<T>(work: TransactionWork<T>): Promise<T> {
      if (dialect === 'postgres') return db.transaction().execute(work);
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        // Work that arrives in the same turn of the event loop (requests read together) shares the
        // commit: the drain starts once those I/O callbacks have run.
        if (!draining) {
          draining = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}
