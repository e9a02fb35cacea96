// Request and response schemas of webhooks, their secret, test events, attempts, stats and the
// event-type catalog (/api/v1). Names and shapes follow CONTRACT.md.
import { z } from 'zod';
import { EVENT_TYPES } from '../../domain/event-catalog.ts';
import { FAILURE_KINDS, type FailureKind } from '../../domain/failure-kind.ts';
import { RESPONSE_BUCKET_BOUNDS_MS } from '../../domain/response-histogram.ts';
import { isoTime, nextCursor, PageQuery, safeText } from './common.ts';

const eventType = z.enum(EVENT_TYPES, {
  error: () => `must be one of ${EVENT_TYPES.join(', ')}`,
});

const requiredString = (what: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : `must be a string (${what})`) });

const url = requiredString('an https URL').describe(
  'Public HTTPS endpoint (at most 2048 characters, no credentials). Checked when saved and again at every connection.',
);
const description = safeText(500).describe('Free text for you, at most 500 characters');
const events = z
  .array(eventType, { error: () => 'must be an array of event types' })
  .min(1, 'must name at least one event type')
  .max(20, 'must have at most 20 entries')
  .describe('Event types to receive; duplicates are removed. Default on create: all of them.');

/** preValidation hook of routes whose body is optional: no body (Fastify's null) counts as `{}`. */
export async function emptyBodyAsObject(request: { body: unknown }): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}

export const WebhookIdParams = z.object({ id: z.string().describe('Webhook id (wh_…)') });
export const AttemptParams = z.object({
  id: z.string().describe('Webhook id (wh_…)'),
  attempt_id: z.string().describe('Attempt id (att_…)'),
});
export const DeliveryParams = z.object({
  id: z.string().describe('Webhook id (wh_…)'),
  delivery_id: z.string().describe('Delivery id (dlv_…)'),
});

export const WebhookIn = z
  .strictObject({ url, description: description.optional(), events: events.optional() })
  .meta({ id: 'WebhookIn' });

export const WebhookPatchIn = z
  .strictObject({ url: url.optional(), description: description.optional(), events: events.optional() })
  .meta({ id: 'WebhookPatchIn', description: 'Only the fields sent are changed.' });

export const ResumeIn = z
  .strictObject({
    send_missed: z
      .boolean({ error: () => 'must be true or false' })
      .optional()
      .describe('Also send the events missed while paused (default false)'),
  })
  .meta({ id: 'ResumeIn' });

export const TestEventIn = z
  .strictObject({
    type: eventType
      .optional()
      .describe('Event type to simulate; required when the webhook subscribes to several'),
  })
  .meta({ id: 'TestEventIn' });

export const Webhook = z
  .object({
    id: z.string().describe('wh_…'),
    url: z.string(),
    description: z.string(),
    events: z.array(eventType),
    status: z
      .enum(['active', 'paused', 'auto_paused', 'disabled_plan', 'listening'])
      .describe(
        'disabled_plan: the owner is on the free plan; nothing is sent until an upgrade. listening: a temporary development endpoint of `klang-webhooks listen`; its deliveries are streamed to the CLI (GET /api/v1/listen-sessions/{id}/stream), never sent over HTTP',
      ),
    status_reason: z.string().nullable().describe('Why the webhook is paused or auto-paused'),
    status_changed_at: isoTime.nullable(),
    consecutive_failures: z.number().int().describe('Failed attempts in a row; a success resets it'),
    auto_pause_after: z
      .number()
      .int()
      .describe('The webhook is paused automatically when consecutive_failures reaches this number'),
    created_at: isoTime,
    updated_at: isoTime,
  })
  .meta({ id: 'Webhook' });

export const WebhookCreated = Webhook.extend({
  secret: z
    .string()
    .describe('Signing secret (whsec_…); this answer is the only one that includes it unasked'),
}).meta({ id: 'WebhookCreated' });

export const HourBucket = z
  .object({
    hour: isoTime.describe('Start of the hour (UTC)'),
    succeeded: z.number().int(),
    failed: z.number().int(),
  })
  .meta({ id: 'HourBucket' });

export const WebhookListItem = Webhook.extend({
  activity_24h: z
    .object({
      succeeded: z.number().int().describe('Successful attempts in the last 24 hours'),
      failed: z.number().int().describe('Failed attempts in the last 24 hours'),
      buckets: z.array(HourBucket).describe('24 hourly buckets, oldest first'),
    })
    .describe('Attempts of the last 24 hours'),
}).meta({ id: 'WebhookListItem' });

export const WebhookList = z
  .object({ data: z.array(WebhookListItem), next_cursor: nextCursor })
  .meta({ id: 'WebhookList' });

export const SecretOut = z
  .object({
    secret: z.string().describe('The current signing secret (whsec_…)'),
    previous_secret_expires_at: isoTime
      .nullable()
      .describe('After a rotation the previous secret also signs until this time; null when none'),
  })
  .meta({ id: 'WebhookSecret' });

export const TestEventAccepted = z
  .object({ event_id: z.string().describe('evt_test_…') })
  .meta({ id: 'TestEventAccepted' });

export const AttemptQuery = z.object({
  status: z
    .enum(['succeeded', 'failed'], { error: () => 'must be succeeded or failed' })
    .optional()
    .describe('Only attempts with this outcome'),
  type: eventType.optional().describe('Only attempts of this event type'),
  event_id: z
    .string()
    .max(100, 'must be at most 100 characters')
    .optional()
    .describe('Only attempts of this event (evt_… or evt_test_…, the webhook-id header)'),
  ...PageQuery.shape,
});

export const AttemptSummary = z
  .object({
    id: z.string().describe('att_…'),
    delivery_id: z.string().describe('dlv_…; resend it with POST …/deliveries/{delivery_id}/resend'),
    event_id: z.string().describe('evt_… — the webhook-id header'),
    event_type: z.string(),
    attempt: z.number().int().describe('1 for the first attempt of the delivery'),
    test: z.boolean().describe('True for test events'),
    outcome: z.enum(['succeeded', 'failed']),
    response_status: z.number().int().nullable(),
    error: z.string().nullable().describe('Why the attempt failed (a code such as timeout or http_status)'),
    error_message: z.string().nullable().describe('The failure in words'),
    duration_ms: z.number().int(),
    created_at: isoTime,
    next_retry_at: isoTime.nullable().describe('When the next attempt is due; null when none is scheduled'),
    delivery_status: z
      .enum(['pending', 'succeeded', 'failed', 'cancelled', 'missed'])
      .describe("The delivery's state now (cancelled: retries stopped)"),
    delivery_status_reason: z
      .string()
      .nullable()
      .describe(
        'Why the delivery was cancelled: access_revoked (the owner can no longer see the conversation) or plan_inactive',
      ),
  })
  .meta({ id: 'AttemptSummary' });

export const AttemptList = z
  .object({ data: z.array(AttemptSummary), next_cursor: nextCursor })
  .meta({ id: 'AttemptList' });

const headers = z.record(z.string(), z.string());

export const AttemptDetail = AttemptSummary.extend({
  request: z.object({
    headers,
    body: z.string().nullable().describe('The exact bytes sent (the event payload)'),
  }),
  response: z.object({
    status: z.number().int().nullable(),
    headers: headers.nullable(),
    body: z.string().nullable().describe('The first 64 KiB of the response body'),
    body_base64: z
      .string()
      .nullable()
      .describe(
        'The exact bytes of `body` in base64 when they are not valid UTF-8 or contain NUL (`body` then shows invalid bytes as U+FFFD and NUL as ␀); null otherwise',
      ),
    truncated: z.boolean().describe('True when the body was longer than what is kept'),
  }),
}).meta({ id: 'AttemptDetail' });

const FAILURE_KIND_MEANINGS: Record<FailureKind, string> = {
  timeout: 'No connection or no complete answer within the timeouts',
  connection: 'The connection was refused, reset or failed otherwise',
  dns: 'The host name could not be resolved',
  tls: 'The TLS handshake or certificate check failed',
  redirect: 'The endpoint answered 3xx (redirects are never followed)',
  client_error: 'The endpoint answered 4xx',
  server_error: 'The endpoint answered 5xx (or another status that is not 2xx, 3xx or 4xx)',
  blocked: 'The target is not allowed (a private, loopback or reserved address, or not https)',
};

export const FailuresByKind = z
  .object(
    Object.fromEntries(
      FAILURE_KINDS.map((kind) => [kind, z.number().int().describe(FAILURE_KIND_MEANINGS[kind])]),
    ) as Record<FailureKind, z.ZodNumber>,
  )
  .describe(
    'Failed attempts in the last 24 hours by kind; every kind is present, 0 when none. Failures on the service side (nothing sent) are in `failed` but in no kind.',
  )
  .meta({ id: 'FailuresByKind' });

const finiteBounds = RESPONSE_BUCKET_BOUNDS_MS.filter(Number.isFinite);
const percentile = (which: string) =>
  z
    .number()
    .int()
    .nullable()
    .describe(
      `${which} response time (ms) of attempts that got a response, read from fixed buckets (upper bounds ${finiteBounds.join(', ')} ms and above) by linear interpolation within the bucket (exact when a single attempt got a response); ${finiteBounds.at(-1)} when it falls above the last bound; null when no attempt got a response`,
    );

export const StatsOut = z
  .object({
    delivered: z.number().int().describe('Successful attempts in the last 24 hours'),
    failed: z.number().int().describe('Failed attempts in the last 24 hours'),
    attempts: z.number().int(),
    error_rate: z.number().describe('failed ÷ attempts, from 0 to 1; 0 when there were no attempts'),
    avg_response_ms: z
      .number()
      .int()
      .nullable()
      .describe('Mean response time of attempts that got a response; null when none did'),
    p50_response_ms: percentile('Median'),
    p95_response_ms: percentile('95th percentile'),
    failures_by_kind: FailuresByKind,
    activity: z.array(HourBucket).describe('24 hourly buckets, oldest first, the current hour last'),
  })
  .meta({ id: 'WebhookStats' });

export const EventTypeList = z
  .object({
    data: z.array(
      z.object({
        type: eventType,
        description: z.string(),
        schema: z.record(z.string(), z.unknown()).describe('JSON Schema (2020-12) of the payload'),
      }),
    ),
  })
  .meta({ id: 'EventTypeList' });

export const ResendAccepted = z
  .object({ delivery_id: z.string().describe('The delivery queued for one more attempt') })
  .meta({ id: 'ResendAccepted' });
