// The intake's statements with fixed SQL text, whatever the group's size: the rows as one JSON
// parameter (json_each) on SQLite, one array per column (unnest) on PostgreSQL. Run inside a Kysely
// transaction by host batches (publish-many.ts); their parts serve the grouped intake's stores too.
import { CompiledQuery, type Transaction } from 'kysely';
import type { StoredWebhookStatus } from '../../domain/webhook-status.ts';
import type { Dialect } from '../dialect.ts';
import type { Database, DeliveriesTable } from '../tables.ts';

export interface EventInsert {
  id: string;
  type: string;
  conversation_id: string;
  payload: string;
  created_at: number;
}

/** A webhook whose owner (on pro or team) can see the conversation. */
export interface Candidate {
  conversation_id: string;
  id: string;
  status: StoredWebhookStatus;
  /** The subscribed types, as stored (a JSON array). */
  events: string;
}

export interface IntakeStatements {
  insertEvents(trx: Transaction<Database>, rows: EventInsert[]): Promise<void>;
  /** Webhooks of pro/team owners who can see any of the conversations, with the conversation. */
  candidates(trx: Transaction<Database>, conversationIds: string[]): Promise<Candidate[]>;
  insertDeliveries(trx: Transaction<Database>, rows: DeliveriesTable[]): Promise<void>;
}

/** The same three statements bound to one transaction. */
export interface GroupStatements {
  insertEvents(rows: EventInsert[]): Promise<void>;
  candidates(conversationIds: string[]): Promise<Candidate[]>;
  insertDeliveries(rows: DeliveriesTable[]): Promise<void>;
}

/** The owners who can see each conversation that `inList` admits. */
const ACCESS = (inList: (column: string) => string) => `
  SELECT c.id AS conversation_id, c.owner_id AS user_id FROM conversations c WHERE ${inList('c.id')}
  UNION SELECT s.conversation_id, s.user_id FROM conversation_user_shares s
  WHERE ${inList('s.conversation_id')}
  UNION SELECT cts.conversation_id, tm.user_id
  FROM conversation_team_shares cts JOIN team_members tm ON tm.team_id = cts.team_id
  WHERE ${inList('cts.conversation_id')}`;

export const CANDIDATES = (inList: (column: string) => string) => `
  SELECT a.conversation_id, w.id, w.status, w.events
  FROM webhooks w JOIN users u ON u.id = w.user_id JOIN (${ACCESS(inList)}) a ON a.user_id = w.user_id
  WHERE u.plan IN ('pro', 'team')`;

export const EVENT_COLUMNS = 'events (id, type, conversation_id, payload, test, created_at)';
export const DELIVERY_COLUMNS = `deliveries (id, event_id, webhook_id, status, status_reason, test, attempts,
  next_attempt_at, locked_until, locked_by, created_at, updated_at)`;

export const SQLITE = {
  insertEvents: `INSERT INTO ${EVENT_COLUMNS}
    SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, 0, value ->> 4 FROM json_each(?)`,
  /** Takes the JSON list of conversation ids three times. */
  candidates: CANDIDATES((column) => `${column} IN (SELECT value FROM json_each(?))`),
  insertDeliveries: `INSERT INTO ${DELIVERY_COLUMNS}
    SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, 0,
      value ->> 6, NULL, NULL, value ->> 7, value ->> 7
    FROM json_each(?)`,
} as const;

const sqlite: IntakeStatements = {
  async insertEvents(trx, rows) {
    const json = JSON.stringify(rows.map((r) => [r.id, r.type, r.conversation_id, r.payload, r.created_at]));
    await trx.executeQuery(CompiledQuery.raw(SQLITE.insertEvents, [json]));
  },
  async candidates(trx, conversationIds) {
    const json = JSON.stringify(conversationIds);
    return (await trx.executeQuery<Candidate>(CompiledQuery.raw(SQLITE.candidates, [json, json, json]))).rows;
  },
  async insertDeliveries(trx, rows) {
    const json = JSON.stringify(
      rows.map((r) => [
        ...[r.id, r.event_id, r.webhook_id, r.status, r.status_reason],
        ...[r.test, r.next_attempt_at, r.created_at],
      ]),
    );
    await trx.executeQuery(CompiledQuery.raw(SQLITE.insertDeliveries, [json]));
  },
};

const column = <T, K extends keyof T>(rows: T[], key: K) => rows.map((row) => row[key]);

/** The PostgreSQL texts, fixed whatever the group's size (one array per column). */
const PG = {
  insertEvents: `INSERT INTO ${EVENT_COLUMNS}
    SELECT id, type, conversation_id, payload, 0, created_at
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])
      AS t(id, type, conversation_id, payload, created_at)`,
  // The candidate webhooks' rows locked once per group: a webhook deleted meanwhile waits for this
  // commit and then deletes these deliveries too, or was deleted first and is not a candidate
  // (the deliveries carry no foreign key on PostgreSQL, migration 0008).
  candidates: `${CANDIDATES((column) => `${column} = ANY($1::text[])`)} FOR KEY SHARE OF w`,
  insertDeliveries: `INSERT INTO ${DELIVERY_COLUMNS}
    SELECT id, event_id, webhook_id, status, status_reason, test, 0, at, NULL, NULL, created, created
    FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bigint[],
      $8::bigint[]) AS t(id, event_id, webhook_id, status, status_reason, test, at, created)`,
} as const;

export const pgValues = {
  insertEvents: (rows: EventInsert[]) => [
    column(rows, 'id'),
    column(rows, 'type'),
    column(rows, 'conversation_id'),
    column(rows, 'payload'),
    column(rows, 'created_at'),
  ],
  candidates: (conversationIds: string[]) => [conversationIds],
  insertDeliveries: (rows: DeliveriesTable[]) => [
    column(rows, 'id'),
    column(rows, 'event_id'),
    column(rows, 'webhook_id'),
    column(rows, 'status'),
    column(rows, 'status_reason'),
    column(rows, 'test'),
    column(rows, 'next_attempt_at'),
    column(rows, 'created_at'),
  ],
};

/** Inside a Kysely transaction (the batch endpoint, keyed work): the same texts, unnamed. */
const postgres: IntakeStatements = {
  async insertEvents(trx, rows) {
    await trx.executeQuery(CompiledQuery.raw(PG.insertEvents, pgValues.insertEvents(rows)));
  },
  async candidates(trx, conversationIds) {
    const query = CompiledQuery.raw(PG.candidates, pgValues.candidates(conversationIds));
    return (await trx.executeQuery<Candidate>(query)).rows;
  },
  async insertDeliveries(trx, rows) {
    await trx.executeQuery(CompiledQuery.raw(PG.insertDeliveries, pgValues.insertDeliveries(rows)));
  },
};

/** The statements bound to a Kysely transaction. */
export const boundTo = (statements: IntakeStatements, trx: Transaction<Database>): GroupStatements => ({
  insertEvents: (rows) => statements.insertEvents(trx, rows),
  candidates: (conversationIds) => statements.candidates(trx, conversationIds),
  insertDeliveries: (rows) => statements.insertDeliveries(trx, rows),
});

export const intakeStatements = (dialect: Dialect): IntakeStatements =>
  dialect === 'postgres' ? postgres : sqlite;
