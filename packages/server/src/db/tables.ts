// Row types of every table. Times are integer milliseconds since the epoch; flags are 0/1 integers;
// JSON columns hold text. These types never leave db/.
import type { Generated, Insertable, Selectable } from 'kysely';
import type { FailureKindColumn, ResponseBucketColumn } from './stats-columns.ts';

export interface UsersTable {
  id: string;
  email: string;
  plan: 'free' | 'pro' | 'team';
  password_hash: string | null;
  created_at: number;
  updated_at: number;
}

export interface TeamsTable {
  id: string;
  name: string;
  created_at: number;
  updated_at: number;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
}

export interface ConversationsTable {
  id: string;
  owner_id: string;
  title: string | null;
  url: string | null;
  created_at: number;
  updated_at: number;
}

export interface ConversationUserSharesTable {
  conversation_id: string;
  user_id: string;
}

export interface ConversationTeamSharesTable {
  conversation_id: string;
  team_id: string;
}

export interface WebhooksTable {
  id: string;
  user_id: string;
  url: string;
  description: string;
  /** JSON array of event types. */
  events: string;
  /** Stored status; `disabled_plan` is derived from the owner's plan. */
  status: 'active' | 'paused' | 'auto_paused' | 'listening';
  status_reason: string | null;
  status_changed_at: number | null;
  consecutive_failures: number;
  secret_enc: string;
  previous_secret_enc: string | null;
  previous_secret_expires_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface EventsTable {
  id: string;
  type: string;
  conversation_id: string | null;
  /** The exact JSON bytes sent to receivers. */
  payload: string;
  test: number;
  created_at: number;
}

export interface IdempotencyKeysTable {
  key: string;
  request_hash: string;
  event_id: string;
  created_at: number;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled' | 'missed';

export interface DeliveriesTable {
  id: string;
  event_id: string;
  webhook_id: string;
  status: DeliveryStatus;
  status_reason: string | null;
  test: number;
  /** Attempts completed so far. */
  attempts: number;
  next_attempt_at: number;
  locked_until: number | null;
  locked_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface AttemptsTable {
  id: string;
  delivery_id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  attempt: number;
  test: number;
  outcome: 'succeeded' | 'failed';
  error: string | null;
  error_message: string | null;
  response_status: number | null;
  duration_ms: number;
  /**
   * JSON object of headers kept verbatim: `{}` for current rows, whose request headers are rebuilt
   * from the row (domain/request-headers.ts); every header sent in rows written before migration 0007.
   * The body is the event payload.
   */
  request_headers: string;
  /** The `webhook-signature` sent; null when nothing was signed (or the row predates the column). */
  request_signature: string | null;
  response_headers: string | null;
  /** Text, or base64 when `response_body_encoding` says so (bytes that are not NUL-free UTF-8). */
  response_body: string | null;
  response_body_encoding: Generated<'utf8' | 'base64'>;
  response_truncated: number;
  next_retry_at: number | null;
  created_at: number;
}

/** Responses per response-time bucket and failed attempts per kind (db/stats-columns.ts); default 0. */
type StatsCounters = Record<ResponseBucketColumn | FailureKindColumn, Generated<number>>;

export interface WebhookStatsHourlyTable extends StatsCounters {
  webhook_id: string;
  hour: number;
  succeeded: number;
  failed: number;
  response_ms_sum: number;
  response_count: number;
}

/** More rows of a (webhook, hour), one per shard 1…15, written beside a concurrent writer (PostgreSQL). */
export interface WebhookStatsHourlyShardsTable extends WebhookStatsHourlyTable {
  shard: number;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  csrf_hash: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

export interface WorkersTable {
  id: string;
  role: string;
  started_at: number;
  heartbeat_at: number;
}

export interface Database {
  users: UsersTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  conversations: ConversationsTable;
  conversation_user_shares: ConversationUserSharesTable;
  conversation_team_shares: ConversationTeamSharesTable;
  webhooks: WebhooksTable;
  events: EventsTable;
  idempotency_keys: IdempotencyKeysTable;
  deliveries: DeliveriesTable;
  attempts: AttemptsTable;
  webhook_stats_hourly: WebhookStatsHourlyTable;
  webhook_stats_hourly_shards: WebhookStatsHourlyShardsTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  workers: WorkersTable;
}

export type UserRow = Selectable<UsersTable>;
export type WebhookRow = Selectable<WebhooksTable>;
export type EventRow = Selectable<EventsTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;
export type AttemptRow = Selectable<AttemptsTable>;
export type NewAttemptRow = Insertable<AttemptsTable>;
export type { Generated };
