// Publishing host events: validate, build the payload, store event + fan-out in one transaction,
// then wake the workers. Answers only after commit.
import { createHash } from 'node:crypto';
import type { QueueSignal } from '../db/queue-signal.ts';
import type { Repos } from '../db/repos/index.ts';
import { AppError, validationFailed } from '../domain/errors.ts';
import { buildPayload, EVENT_TYPES, type EventError, isEventType } from '../domain/event-catalog.ts';
import { newId } from '../domain/ids.ts';
import type { Metrics } from '../metrics.ts';

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

function requestHash(input: PublishInput): string {
  const canonical = JSON.stringify([
    input.type,
    input.conversationId,
    input.error?.code ?? null,
    input.error?.message ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export function createIngestService({
  repos,
  queueSignal,
  metrics,
}: {
  repos: Repos;
  queueSignal: QueueSignal;
  metrics: Metrics;
}) {
  async function publish(input: PublishInput): Promise<Published> {
    if (!isEventType(input.type)) {
      throw new AppError(
        'unknown_event_type',
        `Unknown event type ${JSON.stringify(input.type)}; use one of ${EVENT_TYPES.join(', ')}.`,
        [{ field: 'type', message: `must be one of ${EVENT_TYPES.join(', ')}` }],
      );
    }
    if (input.error !== undefined && input.type !== 'conversation.failed') {
      throw validationFailed('error', 'is only allowed on conversation.failed');
    }
    const conversation = await repos.conversations.getRef(input.conversationId);
    if (!conversation) {
      throw new AppError(
        'conversation_not_found',
        `No conversation ${JSON.stringify(input.conversationId)}; declare it first with PUT /internal/v1/conversations/{id}.`,
      );
    }
    const id = newId.event();
    const createdAt = new Date();
    const payload = buildPayload({
      id,
      type: input.type,
      createdAt,
      conversation: { id: conversation.id, title: conversation.title, url: conversation.url },
      error: input.error,
    });
    const result = await repos.events.publish(
      {
        id,
        type: input.type,
        conversationId: conversation.id,
        payload: JSON.stringify(payload),
        test: false,
        createdAt: createdAt.getTime(),
      },
      input.idempotencyKey ? { key: input.idempotencyKey, requestHash: requestHash(input) } : undefined,
    );
    if (result.kind === 'conflict') {
      throw new AppError(
        'idempotency_conflict',
        'This idempotency-key was already used with a different body.',
        [{ field: 'idempotency-key', message: `already used for event ${result.eventId}` }],
      );
    }
    if (result.kind === 'created') {
      metrics.eventsPublished.inc({ type: input.type });
      if (result.deliveries > 0) queueSignal.notify();
    }
    return {
      id: result.eventId,
      deliveries: result.deliveries,
      missed: result.missed,
      replayed: result.kind === 'replayed',
    };
  }

  return {
    /** Stores the event and its deliveries in one transaction; timed in klang_intake_duration_seconds. */
    async publish(input: PublishInput): Promise<Published> {
      const end = metrics.intakeDuration.startTimer();
      try {
        const published = await publish(input);
        end({ result: published.replayed ? 'replayed' : 'created' });
        return published;
      } catch (error) {
        end({ result: 'refused' });
        throw error;
      }
    },
  };
}

export type IngestService = ReturnType<typeof createIngestService>;
