// The grouped intake's three statements with fixed SQL text, whatever the group's size: the rows go
// as one JSON parameter (json_each) on SQLite and as one array per column (unnest) on PostgreSQL, so
// SQLite prepares each text once and PostgreSQL parses a few short statements instead of a VALUES list.
import { type RawBuilder, sql, type Transaction } from 'kysely';
import type { StoredWebhookStatus } from '../../domain/webhook-status.ts';
import type { Dialect } from '../connect.ts';
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

/** The owners who can see each conversation that `inConversations` admits. */
const ACCESS = (inConversations: (column: string) => RawBuilder<unknown>) => sql`
  SELECT c.id AS conversation_id, c.owner_id AS user_id FROM conversations c
  WHERE ${inConversations('c.id')}
  UNION SELECT s.conversation_id, s.user_id FROM conversation_user_shares s
  WHERE ${inConversations('s.conversation_id')}
  UNION SELECT cts.conversation_id, tm.user_id
  FROM conversation_team_shares cts JOIN team_members tm ON tm.team_id = cts.team_id
  WHERE ${inConversations('cts.conversation_id')}`;

const CANDIDATES = (access: RawBuilder<unknown>) => sql<Candidate>`
  SELECT a.conversation_id, w.id, w.status, w.events
  FROM webhooks w JOIN users u ON u.id = w.user_id JOIN (${access}) a ON a.user_id = w.user_id
  WHERE u.plan IN ('pro', 'team')`;

const EVENT_COLUMNS = sql`events (id, type, conversation_id, payload, test, created_at)`;
const DELIVERY_COLUMNS = sql`deliveries (id, event_id, webhook_id, status, status_reason, test, attempts,
  next_attempt_at, locked_until, locked_by, created_at, updated_at)`;

const sqlite: IntakeStatements = {
  async insertEvents(trx, rows) {
    const json = JSON.stringify(rows.map((r) => [r.id, r.type, r.conversation_id, r.payload, r.created_at]));
    await sql`INSERT INTO ${EVENT_COLUMNS}
      SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, 0, value ->> 4 FROM json_each(${json})`.execute(
      trx,
    );
  },
  async candidates(trx, conversationIds) {
    const json = JSON.stringify(conversationIds);
    const inList = (column: string) => sql`${sql.ref(column)} IN (SELECT value FROM json_each(${json}))`;
    return (await CANDIDATES(ACCESS(inList)).execute(trx)).rows;
  },
  async insertDeliveries(trx, rows) {
    const json = JSON.stringify(
      rows.map((r) => [
        ...[r.id, r.event_id, r.webhook_id, r.status, r.status_reason],
        ...[r.test, r.next_attempt_at, r.created_at],
      ]),
    );
    await sql`INSERT INTO ${DELIVERY_COLUMNS}
      SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, 0,
        value ->> 6, NULL, NULL, value ->> 7, value ->> 7
      FROM json_each(${json})`.execute(trx);
  },
};

const column = <T, K extends keyof T>(rows: T[], key: K) => rows.map((row) => row[key]);

const postgres: IntakeStatements = {
  async insertEvents(trx, rows) {
    await sql`INSERT INTO ${EVENT_COLUMNS}
      SELECT id, type, conversation_id, payload, 0, created_at
      FROM unnest(${column(rows, 'id')}::text[], ${column(rows, 'type')}::text[],
        ${column(rows, 'conversation_id')}::text[], ${column(rows, 'payload')}::text[],
        ${column(rows, 'created_at')}::bigint[]) AS t(id, type, conversation_id, payload, created_at)`.execute(
      trx,
    );
  },
  async candidates(trx, conversationIds) {
    const inList = (column: string) => sql`${sql.ref(column)} = ANY(${conversationIds}::text[])`;
    return (await CANDIDATES(ACCESS(inList)).execute(trx)).rows;
  },
  async insertDeliveries(trx, rows) {
    await sql`INSERT INTO ${DELIVERY_COLUMNS}
      SELECT id, event_id, webhook_id, status, status_reason, test, 0, at, NULL, NULL, created, created
      FROM unnest(${column(rows, 'id')}::text[], ${column(rows, 'event_id')}::text[],
        ${column(rows, 'webhook_id')}::text[], ${column(rows, 'status')}::text[],
        ${column(rows, 'status_reason')}::text[], ${column(rows, 'test')}::int[],
        ${column(rows, 'next_attempt_at')}::bigint[], ${column(rows, 'created_at')}::bigint[])
        AS t(id, event_id, webhook_id, status, status_reason, test, at, created)`.execute(trx);
  },
};

export const intakeStatements = (dialect: Dialect): IntakeStatements =>
  dialect === 'postgres' ? postgres : sqlite;
