// The grouped intake on SQLite: one synchronous transaction while Kysely's connection is held — each
// event and each delivery a run of a statement prepared once, the candidate webhooks one read for
// all the group's conversations (no JSON to build for the rows, no await between statements).
import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { fanOut } from '../repos/event-batch.ts';
import { type Candidate, SQLITE } from '../repos/intake-statements.ts';
import { lockedTransaction, preparedAtFirstUse } from '../sqlite-hot-statements.ts';
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

export function createSqliteIntakeStore(sqlite: SQLite.Database, db: Kysely<Database>): IntakeStore {
  const st = preparedAtFirstUse(sqlite, SQL);
  const locked = lockedTransaction(sqlite, db);
  return {
    writeGroup: (events, deliveryRow) =>
      locked(() => {
        const s = st();
        for (const e of events) s.insertEvent.run(e.id, e.type, e.conversationId, e.payload, e.createdAt);
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
  };
}
