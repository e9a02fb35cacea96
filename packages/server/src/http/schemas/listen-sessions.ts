// Request and response schemas of listen sessions (/api/v1/listen-sessions), the server side of
// `klang-webhooks listen`.
import { z } from 'zod';
import { EVENT_TYPES } from '../../domain/event-catalog.ts';
import { safeText } from './common.ts';
import { Webhook } from './webhooks.ts';

const headerMap = z.record(z.string().max(256), z.string().max(8192));

export const ListenSessionIn = z
  .strictObject({
    events: z
      .array(z.enum(EVENT_TYPES, { error: () => `must be one of ${EVENT_TYPES.join(', ')}` }))
      .min(1, 'must name at least one event type')
      .max(20)
      .optional()
      .describe('Event types to receive (default: all)'),
    forward_to: safeText(2048)
      .optional()
      .describe('The local URL the CLI forwards to (shown in the description)'),
  })
  .meta({ id: 'ListenSessionIn' });

export const ListenSessionOut = z
  .object({
    id: z.string().describe('The development endpoint’s webhook id (wh_…), status `listening`'),
    secret: z.string().describe('Its signing secret (whsec_…)'),
    webhook: Webhook,
  })
  .meta({ id: 'ListenSession' });

export const ListenSessionParams = z.object({ id: z.string().describe('Listen session id (wh_…)') });
export const ListenResultParams = z.object({
  id: z.string().describe('Listen session id (wh_…)'),
  delivery_id: z.string().describe('Delivery id (dlv_…) of a streamed event'),
});

export const ListenResultIn = z
  .strictObject({
    request_headers: headerMap.describe('The headers forwarded (those streamed)'),
    status: z.number().int().min(100).max(599).optional().describe('The local answer’s status'),
    headers: headerMap.optional(),
    body_base64: z
      .string()
      .max(48_000)
      .optional()
      .describe('The local answer’s body (at most 32 KiB), base64'),
    truncated: z.boolean().optional().describe('The body was cut'),
    error: z
      .enum(['timeout', 'connection_refused', 'network_error'])
      .optional()
      .describe('No answer, and why'),
    message: safeText(500).optional(),
    duration_ms: z.number().min(0).max(3_600_000),
  })
  .refine((body) => (body.status === undefined) !== (body.error === undefined), {
    message: 'must carry either status or error',
    path: ['status'],
  })
  .meta({ id: 'ListenResultIn' });

export const ListenResultOut = z
  .object({ outcome: z.enum(['succeeded', 'failed']) })
  .meta({ id: 'ListenResult' });
