// Request and response schemas of the host API (/internal/v1).
import { z } from 'zod';
import { ErrorOut, hostId, isoTime, safeText } from './common.ts';

export const HostIdParams = z.object({ id: hostId });

export const UserIn = z.strictObject({
  email: z.email('must be an email address').max(254),
  plan: z.enum(['free', 'pro', 'team']),
  password: safeText(256).min(8, 'must be at least 8 characters').optional(),
  team_ids: z.array(hostId).max(200).optional(),
});

export const UserOut = z
  .object({
    id: z.string(),
    email: z.string(),
    plan: z.enum(['free', 'pro', 'team']),
    team_ids: z.array(z.string()),
    created_at: isoTime,
    updated_at: isoTime,
  })
  .meta({ id: 'HostUser' });

export const TeamIn = z.strictObject({ name: safeText(200).min(1, 'must not be empty') });

export const TeamOut = z
  .object({
    id: z.string(),
    name: z.string(),
    member_ids: z.array(z.string()),
    created_at: isoTime,
    updated_at: isoTime,
  })
  .meta({ id: 'HostTeam' });

const httpUrl = safeText(2048).refine(
  (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol),
  'must be an http(s) URL',
);

export const ConversationIn = z.strictObject({
  owner_id: hostId,
  title: safeText(500).nullable().optional(),
  url: httpUrl.nullable().optional(),
  shared_with_users: z.array(hostId).max(1000).optional(),
  shared_with_teams: z.array(hostId).max(1000).optional(),
});

export const ConversationOut = z
  .object({
    id: z.string(),
    owner_id: z.string(),
    title: z.string().nullable(),
    url: z.string().nullable(),
    shared_with_users: z.array(z.string()),
    shared_with_teams: z.array(z.string()),
    created_at: isoTime,
    updated_at: isoTime,
  })
  .meta({ id: 'HostConversation' });

export const EventIn = z.strictObject({
  type: safeText(100).describe('conversation.ready, conversation.failed or conversation.deleted'),
  conversation_id: hostId,
  error: z
    .strictObject({ code: safeText(100).min(1), message: safeText(2000) })
    .optional()
    .describe('Only for conversation.failed'),
});

/** An idempotency key: the `idempotency-key` header of one event, `idempotency_key` in a batch. */
const idempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'must be 1–255 visible ASCII characters');

export const EventHeaders = z.object({ 'idempotency-key': idempotencyKey.optional() });

export const EventAccepted = z
  .object({
    id: z.string().describe('Event id (evt_…)'),
    deliveries: z.number().int().describe('Deliveries queued for eligible, active webhooks'),
    missed: z.number().int().describe('Deliveries recorded as missed for paused webhooks'),
  })
  .meta({ id: 'EventAccepted' });

/** Entries one batch may hold. */
export const MAX_BATCH_EVENTS = 500;

export const BatchEventIn = EventIn.extend({
  idempotency_key: idempotencyKey
    .optional()
    .describe('As the idempotency-key header of POST /internal/v1/events, shared with it'),
}).meta({ id: 'BatchEventIn' });

/** The batch as documented; the route checks the envelope first and each entry on its own. */
export const EventBatchIn = z
  .strictObject({ events: z.array(BatchEventIn).min(1).max(MAX_BATCH_EVENTS) })
  .meta({ id: 'EventBatchIn' });

/** The envelope alone: a refusal here refuses the whole batch. */
export const EventBatchEnvelope = z.strictObject(
  {
    events: z
      .array(
        z.custom<Record<string, unknown>>(
          (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
          'must be a JSON object',
        ),
        { error: 'must be an array of events' },
      )
      .min(1, 'must hold at least 1 event')
      .max(MAX_BATCH_EVENTS, `must hold at most ${MAX_BATCH_EVENTS} events`),
  },
  { error: 'must be a JSON object' },
);

export const EventBatchAccepted = z
  .object({
    data: z
      .array(z.union([EventAccepted, ErrorOut]))
      .describe('One entry per event sent, in order: the event accepted, or why this one was refused'),
  })
  .meta({ id: 'EventBatchAccepted' });
