// The attempt log as its owner reads it: newest first with filters and id cursors, and one attempt
// in full with the event payload as the request body. The engine writes these rows.
import type { Kysely } from 'kysely';
import type { StoredRequest } from '../../domain/request-headers.ts';
import { readableBody } from '../../domain/response-body.ts';
import type { AttemptRow, Database, DeliveryStatus } from '../tables.ts';

export interface AttemptSummary {
  id: string;
  deliveryId: string;
  eventId: string;
  eventType: string;
  attempt: number;
  test: boolean;
  outcome: 'succeeded' | 'failed';
  responseStatus: number | null;
  error: string | null;
  errorMessage: string | null;
  durationMs: number;
  createdAt: Date;
  nextRetryAt: Date | null;
  /** The delivery's state now: pending, succeeded, failed or cancelled, and why when cancelled. */
  deliveryStatus: DeliveryStatus;
  deliveryStatusReason: string | null;
}

export interface AttemptDetail extends AttemptSummary {
  /** What the row keeps of the request headers (domain/request-headers.ts `sentHeaders` rebuilds them). */
  request: StoredRequest;
  requestBody: string | null;
  responseHeaders: Record<string, string> | null;
  /** The body as text for display (invalid UTF-8 as U+FFFD, NUL as ␀). */
  responseBody: string | null;
  /** The exact bytes in base64 when they are not NUL-free UTF-8 text; null otherwise. */
  responseBodyBase64: string | null;
  responseTruncated: boolean;
}

export interface AttemptQuery {
  outcome?: 'succeeded' | 'failed' | undefined;
  eventType?: string | undefined;
  /** Only attempts of this event (its webhook-id). */
  eventId?: string | undefined;
  /** Only attempts with an id below this one (the previous page's last id). */
  before?: string | undefined;
  limit: number;
}

type SummaryRow = Omit<
  AttemptRow,
  | 'request_headers'
  | 'request_signature'
  | 'response_headers'
  | 'response_body'
  | 'response_body_encoding'
  | 'webhook_id'
> & {
  delivery_status: DeliveryStatus;
  delivery_status_reason: string | null;
};

const SUMMARY_COLUMNS = [
  'a.id',
  'a.delivery_id',
  'a.event_id',
  'a.event_type',
  'a.attempt',
  'a.test',
  'a.outcome',
  'a.error',
  'a.error_message',
  'a.response_status',
  'a.duration_ms',
  'a.response_truncated',
  'a.next_retry_at',
  'a.created_at',
  'd.status as delivery_status',
  'd.status_reason as delivery_status_reason',
] as const;

const toSummary = (row: SummaryRow): AttemptSummary => ({
  id: row.id,
  deliveryId: row.delivery_id,
  eventId: row.event_id,
  eventType: row.event_type,
  attempt: Number(row.attempt),
  test: Number(row.test) === 1,
  outcome: row.outcome,
  responseStatus: row.response_status === null ? null : Number(row.response_status),
  error: row.error,
  errorMessage: row.error_message,
  durationMs: Number(row.duration_ms),
  createdAt: new Date(Number(row.created_at)),
  nextRetryAt: row.next_retry_at === null ? null : new Date(Number(row.next_retry_at)),
  deliveryStatus: row.delivery_status,
  deliveryStatusReason: row.delivery_status_reason,
});

const parseHeaders = (text: string | null): Record<string, string> | null =>
  text === null ? null : (JSON.parse(text) as Record<string, string>);

function responseBody(text: string | null, encoding: 'utf8' | 'base64') {
  if (text === null) return { responseBody: null, responseBodyBase64: null };
  return {
    responseBody: readableBody({ text, encoding }),
    responseBodyBase64: encoding === 'base64' ? text : null,
  };
}

export function createAttemptsRepo(db: Kysely<Database>) {
  return {
    /** One page of the webhook's attempts, newest first; asks for one extra row to know if more follow. */
    async list(webhookId: string, query: AttemptQuery): Promise<{ items: AttemptSummary[]; more: boolean }> {
      let select = db
        .selectFrom('attempts as a')
        .innerJoin('deliveries as d', 'd.id', 'a.delivery_id')
        .select(SUMMARY_COLUMNS)
        .where('a.webhook_id', '=', webhookId);
      if (query.outcome) select = select.where('a.outcome', '=', query.outcome);
      if (query.eventType) select = select.where('a.event_type', '=', query.eventType);
      if (query.eventId) select = select.where('a.event_id', '=', query.eventId);
      if (query.before) select = select.where('a.id', '<', query.before);
      const rows = await select
        .orderBy('a.id', 'desc')
        .limit(query.limit + 1)
        .execute();
      return { items: rows.slice(0, query.limit).map(toSummary), more: rows.length > query.limit };
    },

    /** One attempt of this webhook with request headers, the event payload and the response. */
    async get(webhookId: string, attemptId: string): Promise<AttemptDetail | undefined> {
      const row = await db
        .selectFrom('attempts as a')
        .innerJoin('deliveries as d', 'd.id', 'a.delivery_id')
        .leftJoin('events as e', 'e.id', 'a.event_id')
        .select([
          ...SUMMARY_COLUMNS,
          'a.request_headers',
          'a.request_signature',
          'a.response_headers',
          'a.response_body',
          'a.response_body_encoding',
          'e.payload',
        ])
        .where('a.id', '=', attemptId)
        .where('a.webhook_id', '=', webhookId)
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        ...toSummary(row),
        request: {
          eventId: row.event_id,
          createdAt: Number(row.created_at),
          signature: row.request_signature,
          stored: parseHeaders(row.request_headers) ?? {},
        },
        requestBody: row.payload,
        responseHeaders: parseHeaders(row.response_headers),
        ...responseBody(row.response_body, row.response_body_encoding),
        responseTruncated: Number(row.response_truncated) === 1,
      };
    },
  };
}

export type AttemptsRepo = ReturnType<typeof createAttemptsRepo>;
