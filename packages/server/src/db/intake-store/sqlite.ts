// The grouped intake on SQLite: one synchronous transaction while Kysely's connection is held — each
// event and each delivery a run of a statement prepared once, the candidate webhooks one read for
// all the group's conversations (no JSON to build for the rows, no await between statements).
import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { eventRows, fanOut } from '../repos/event-batch.ts';
import { type Candidate, SQLITE } from '../repos/intake-statements.ts';
import type { Database } from '../tables.ts';
import type { IntakeStore } from './types.ts';

const SQL = {
  insertEvent: `INSERT INTO events (id, type, conversation_id, payload, test, created_at)
    VALUES (?, ?, ?, ?, 0, ?)`,
  candidates: SQLITE.candidates,
  insertDelivery: `INSERT INTO deliveries (id, event_id, webhook_id, status, status_reason, test,
      attempts, next_attempt_at, locked_until, locked_by, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, 0, ?, NULL, NULL, ?, ?)`,
} as const;

type Statements = { [K in keyof typeof SQL]: SQLite.Statement };

export function createSqliteIntakeStore(sqlite: SQLite.Database, db: Kysely<Database>): IntakeStore {
  let prepared: Statements | undefined;
  // Prepared at first use: the tables exist only once migrations ran.
  const st = (): Statements => {
    prepared ??= Object.fromEntries(
      Object.entries(SQL).map(([name, text]) => [name, sqlite.prepare(text)]),
    ) as Statements;
    return prepared;
  };
  const transaction = sqlite.transaction((work: () => unknown) => work());

  return {
    writeGroup: (events, deliveryRow) =>
      db.connection().execute(async () =>
        transaction.immediate(() => {
          const s = st();
          for (const e of eventRows(events)) {
            s.insertEvent.run(e.id, e.type, e.conversation_id, e.payload, e.created_at);
          }
          const ids = JSON.stringify([...new Set(events.map((e) => e.conversationId))]);
          const candidates = s.candidates.all(ids, ids, ids) as Candidate[];
          const { deliveries, results } = fanOut(events, candidates, deliveryRow);
          for (const d of deliveries) {
            s.insertDelivery.run(
              ...[d.id, d.event_id, d.webhook_id, d.status, d.status_reason, d.test],
              ...[d.next_attempt_at, d.created_at, d.updated_at],
            );
          }
          return results;
        }),
      ) as ReturnType<IntakeStore['writeGroup']>,
  };
}
