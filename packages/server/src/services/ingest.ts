// Publishing host events: validate, build the payload, store event + fan-out in one transaction,
// then wake the workers. Answers only after commit. (A batch of events: ingest-batch.ts.)
import { createBatchPublisher } from './ingest-batch.ts';
import {
  conversationNotFound,
  eventToStore,
  type IngestDeps,
  idempotencyConflict,
  type Published,
  type PublishInput,
  ruleRefusal,
} from './ingest-rules.ts';

export type { IngestDeps, Published, PublishInput } from './ingest-rules.ts';

export function createIngestService(deps: IngestDeps) {
  const { repos, queueSignal, metrics } = deps;
  async function publish(input: PublishInput): Promise<Published> {
    const refusal = ruleRefusal(input);
    if (refusal) throw refusal;
    const conversation = await repos.conversations.getRef(input.conversationId);
    if (!conversation) throw conversationNotFound(input.conversationId);
    const { event, idempotency } = eventToStore(input, conversation, new Date());
    const result = await repos.events.publish(event, idempotency);
    if (result.kind === 'conflict') throw idempotencyConflict(result.eventId, 'idempotency-key');
    if (result.kind === 'created') {
      metrics.eventsPublished.inc({ type: input.type });
      if (result.deliveries > 0) queueSignal.notify(result.webhookIds);
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

    /** Stores a batch of events in one transaction; one answer per input, in order (ingest-batch.ts). */
    publishBatch: createBatchPublisher(deps),
  };
}

export type IngestService = ReturnType<typeof createIngestService>;
