// The event types a webhook can subscribe to, their descriptions, payload shape and JSON Schemas.

export const EVENT_TYPES = ['conversation.ready', 'conversation.failed', 'conversation.deleted'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const isEventType = (value: unknown): value is EventType =>
  typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);

export const EVENT_DESCRIPTIONS: Record<EventType, string> = {
  'conversation.ready': 'The transcript and AI analysis are finished and ready to fetch.',
  'conversation.failed': 'Processing failed for a meeting or file.',
  'conversation.deleted': 'A meeting or file was deleted.',
};

export interface ConversationRef {
  id: string;
  title: string | null;
  url: string | null;
}

export interface EventError {
  code: string;
  message: string;
}

export interface EventPayload {
  id: string;
  type: EventType;
  created_at: string;
  data: { conversation: ConversationRef; error?: EventError };
}

/** Builds the thin payload sent to receivers; `error` only for conversation.failed. */
export function buildPayload(input: {
  id: string;
  type: EventType;
  createdAt: Date;
  conversation: ConversationRef;
  error?: EventError | undefined;
}): EventPayload {
  const data: EventPayload['data'] = { conversation: input.conversation };
  if (input.type === 'conversation.failed') {
    data.error = input.error ?? { code: 'processing_failed', message: 'Processing failed.' };
  }
  return { id: input.id, type: input.type, created_at: input.createdAt.toISOString(), data };
}

const conversationSchema = {
  type: 'object',
  required: ['id', 'title', 'url'],
  properties: {
    id: { type: 'string', description: 'Conversation id; fetch details from the Klang API.' },
    title: { type: ['string', 'null'] },
    url: { type: ['string', 'null'], format: 'uri' },
  },
} as const;

/** JSON Schema (draft 2020-12) of one event type's payload. */
export function eventJsonSchema(type: EventType): Record<string, unknown> {
  const data: Record<string, unknown> = {
    type: 'object',
    required: type === 'conversation.failed' ? ['conversation', 'error'] : ['conversation'],
    properties: {
      conversation: conversationSchema,
      ...(type === 'conversation.failed'
        ? {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' } },
            },
          }
        : {}),
    },
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: type,
    description: EVENT_DESCRIPTIONS[type],
    type: 'object',
    required: ['id', 'type', 'created_at', 'data'],
    properties: {
      id: {
        type: 'string',
        pattern: '^evt_',
        description: 'Event id; equals the webhook-id header. Idempotency key.',
      },
      type: { const: type },
      created_at: { type: 'string', format: 'date-time' },
      data,
    },
  };
}

/** The sample conversation test events reference. */
export const SAMPLE_CONVERSATION: ConversationRef = {
  id: 'conv_sample',
  title: 'Sample conversation (test event)',
  url: 'https://app.klang.example/conversations/conv_sample',
};
