// SQL shared by both dialects' queue stores (placeholders passed in): the claim's ranking per
// webhook and per owner, the attempts' columns, the columns a send needs, the owner's access to the event's conversation,
// and the rows read back as engine values.
import type { NewAttemptRow } from '../tables.ts';
import type { ClaimedDelivery, SendContext } from './types.ts';

/** CTEs after `candidates`: at most `perWebhook` per webhook and `perOwner` per owner, `limit` in all. */
export const CLAIM_RANKING = (perWebhook: string, perOwner: string, limit: string) => `
  ranked AS (
    SELECT id, user_id, next_attempt_at,
      row_number() OVER (PARTITION BY webhook_id ORDER BY next_attempt_at, id) AS rn
    FROM candidates
  ),
  per_owner AS (
    SELECT id, next_attempt_at,
      row_number() OVER (PARTITION BY user_id ORDER BY next_attempt_at, id) AS orn
    FROM ranked WHERE rn <= ${perWebhook}
  ),
  chosen AS (
    SELECT id FROM per_owner WHERE orn <= ${perOwner}
    ORDER BY next_attempt_at, id LIMIT ${limit}
  )`;

/** The attempts table's columns in the order both dialects' inserts take them. */
export const ATTEMPT_COLUMNS = [
  'id',
  'delivery_id',
  'webhook_id',
  'event_id',
  'event_type',
  'attempt',
  'test',
  'outcome',
  'error',
  'error_message',
  'response_status',
  'duration_ms',
  'request_headers',
  'request_signature',
  'response_headers',
  'response_body',
  'response_body_encoding',
  'response_truncated',
  'next_retry_at',
  'created_at',
] as const satisfies readonly (keyof NewAttemptRow)[];

/** A column's value of an attempt row as stored (absent optional columns: their defaults). */
export const attemptValue = (row: NewAttemptRow, name: (typeof ATTEMPT_COLUMNS)[number]): unknown =>
  row[name] ?? (name === 'response_body_encoding' ? 'utf8' : null);

/** Over `deliveries d`, `events e`, `webhooks w`, `users u`. */
export const CONTEXT_COLUMNS = `d.id, d.event_id, d.webhook_id, d.attempts, d.test, d.next_attempt_at, e.type,
  e.conversation_id, e.payload, w.user_id, w.status, w.url, u.plan, w.secret_enc,
  w.previous_secret_enc, w.previous_secret_expires_at`;

/** Whether `w.user_id` can see conversation `conversation` (true without one, or for a test event). */
export const HAS_ACCESS = (conversation: string, test = 'd.test') => `CASE
  WHEN ${test} = 1 OR ${conversation} IS NULL THEN 1
  WHEN EXISTS (SELECT 1 FROM conversations c WHERE c.id = ${conversation} AND c.owner_id = w.user_id)
    OR EXISTS (SELECT 1 FROM conversation_user_shares s
      WHERE s.conversation_id = ${conversation} AND s.user_id = w.user_id)
    OR EXISTS (SELECT 1 FROM conversation_team_shares cts JOIN team_members tm ON tm.team_id = cts.team_id
      WHERE cts.conversation_id = ${conversation} AND tm.user_id = w.user_id)
  THEN 1 ELSE 0 END`;

export interface SendContextRow {
  status: SendContext['status'];
  url: string;
  user_id: string;
  plan: SendContext['plan'];
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_expires_at: number | string | null;
  has_access: number | string | boolean;
}

export interface ContextRow extends SendContextRow {
  id: string;
  event_id: string;
  webhook_id: string;
  attempts: number | string;
  test: number | string;
  next_attempt_at: number | string;
  type: string;
  conversation_id: string | null;
  payload: string;
}

export function sendContextFromRow(row: SendContextRow): SendContext {
  return {
    status: row.status,
    url: row.url,
    userId: row.user_id,
    plan: row.plan,
    hasAccess: row.has_access === true || Number(row.has_access) === 1,
    secretEnc: row.secret_enc,
    previousSecretEnc: row.previous_secret_enc,
    previousSecretExpiresAt:
      row.previous_secret_expires_at === null ? null : Number(row.previous_secret_expires_at),
  };
}

/** Rows numbered by their key's place (0-based `i`) as one answer per key, undefined where none. */
export function answersInOrder(
  count: number,
  rows: readonly (SendContextRow & { i: number })[],
): (SendContext | undefined)[] {
  const answers = new Array<SendContext | undefined>(count).fill(undefined);
  for (const row of rows) answers[row.i] = sendContextFromRow(row);
  return answers;
}

export function claimedFromRow(row: ContextRow, claimedAt: number): ClaimedDelivery {
  return {
    id: row.id,
    eventId: row.event_id,
    webhookId: row.webhook_id,
    ownerId: row.user_id,
    attempts: Number(row.attempts),
    test: Number(row.test) === 1,
    eventType: row.type,
    conversationId: row.conversation_id,
    payload: row.payload,
    context: sendContextFromRow(row),
    claimedAt,
    dueAt: Number(row.next_attempt_at),
  };
}
