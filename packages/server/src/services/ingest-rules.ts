// What makes a host event acceptable and how it is stored, shared by the single and the batch intake:
// the type and `error` rules, the refusals (with their codes), the stored event and its request hash.
import { createHash } from 'node:crypto';
import type { QueueSignal } from '../db/queue-signal.ts';
import type { Idempotency, NewEvent } from '../db/repos/event-types.ts';
import type { Repos } from '../db/repos/index.ts';
import { AppError, validationFailed } from '../domain/errors.ts';
import {
  buildPayload,
  EVENT_TYPES,
  type EventError,
  type EventType,
  isEventType,
} from '../domain/event-catalog.ts';
import { newId } from '../domain/ids.ts';
import type { Metrics } from '../metrics.ts';

/** What publishing needs from the container. */
export interface IngestDeps {
  repos: Repos;
  queueSignal: QueueSignal;
  metrics: Metrics;
}

export interface PublishInput {
  type: string;
  conversationId: string;
  error?: EventError | undefined;
  idempotencyKey?: string | undefined;
}

export interface Published {
  id: string;
  deliveries: number;
  missed: number;
  /** True when an earlier request with the same idempotency key created the event. */
  replayed: boolean;
}

export interface ConversationRef {
  id: string;
  title: string | null;
  url: string | null;
}

/** The refusal of an input by the event catalog's rules (type, `error`), or undefined. */
export function ruleRefusal(input: PublishInput): AppError | undefined {
  if (!isEventType(input.type)) {
    return new AppError(
      'unknown_event_type',
      `Unknown event type ${JSON.stringify(input.type)}; use one of ${EVENT_TYPES.join(', ')}.`,
      [{ field: 'type', message: `must be one of ${EVENT_TYPES.join(', ')}` }],
    );
  }
  if (input.error !== undefined && input.type !== 'conversation.failed') {
    return validationFailed('error', 'is only allowed on conversation.failed');
  }
  return undefined;
}

export const conversationNotFound = (id: string): AppError =>
  new AppError(
    'conversation_not_found',
    `No conversation ${JSON.stringify(id)}; declare it first with PUT /internal/v1/conversations/{id}.`,
  );

/** The key was used before with a different body; `field` names where the key was sent. */
export const idempotencyConflict = (eventId: string, field: string): AppError =>
  new AppError('idempotency_conflict', `This ${field} was already used with a different body.`, [
    { field, message: `already used for event ${eventId}` },
  ]);

function requestHash(input: PublishInput): string {
  const canonical = JSON.stringify([
    input.type,
    input.conversationId,
    input.error?.code ?? null,
    input.error?.message ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** The event row (payload = the exact JSON receivers get) and its key, for an input the rules accept. */
export function eventToStore(
  input: PublishInput,
  conversation: ConversationRef,
  createdAt: Date,
): { event: NewEvent & { conversationId: string }; idempotency: Idempotency | undefined } {
  const id = newId.event();
  const type = input.type as EventType; // checked by ruleRefusal
  const payload = buildPayload({
    id,
    type,
    createdAt,
    conversation: { id: conversation.id, title: conversation.title, url: conversation.url },
    error: input.error,
  });
  return {
    event: {
      id,
      type,
      conversationId: conversation.id,
      payload: JSON.stringify(payload),
      test: false,
      createdAt: createdAt.getTime(),
    },
    idempotency: input.idempotencyKey
      ? { key: input.idempotencyKey, requestHash: requestHash(input) }
      : undefined,
  };
}
