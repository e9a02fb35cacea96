// Publishing a host's batch of events: each input checked by the same rules as a single event, the
// conversations read in one query, every accepted event stored in one transaction, the workers woken
// once. One answer per input, in order: what was published, or the refusal of that input alone.
import { AppError } from '../domain/errors.ts';
import {
  conversationNotFound,
  eventToStore,
  type IngestDeps,
  idempotencyConflict,
  type Published,
  type PublishInput,
  ruleRefusal,
} from './ingest-rules.ts';

export type BatchAnswer = Published | AppError;

export function createBatchPublisher({ repos, queueSignal, metrics }: IngestDeps) {
  async function publishBatch(inputs: PublishInput[]): Promise<BatchAnswer[]> {
    const answers: (BatchAnswer | undefined)[] = inputs.map(ruleRefusal);
    const conversations = await repos.conversations.getRefs(
      inputs.filter((_, i) => answers[i] === undefined).map((input) => input.conversationId),
    );
    const createdAt = new Date();
    const accepted: number[] = [];
    const items = inputs.flatMap((input, i) => {
      if (answers[i]) return [];
      const conversation = conversations.get(input.conversationId);
      if (!conversation) {
        answers[i] = conversationNotFound(input.conversationId);
        return [];
      }
      accepted.push(i);
      return [eventToStore(input, conversation, createdAt)];
    });
    const results = await repos.events.publishMany(items);
    const fed = new Set<string>();
    for (const [n, result] of results.entries()) {
      const i = accepted[n]!;
      if (result.kind === 'conflict') {
        answers[i] = idempotencyConflict(result.eventId, 'idempotency_key');
        continue;
      }
      if (result.kind === 'created') {
        metrics.eventsPublished.inc({ type: inputs[i]!.type });
        for (const id of result.webhookIds) fed.add(id);
      }
      answers[i] = {
        id: result.eventId,
        deliveries: result.deliveries,
        missed: result.missed,
        replayed: result.kind === 'replayed',
      };
    }
    if (fed.size > 0) queueSignal.notify([...fed]);
    return answers as BatchAnswer[];
  }

  /**
   * klang_intake_duration_seconds gets one observation per input, each the time the whole batch
   * took (what each of its events waited), so the counts by result stay counts of events.
   */
  return async (inputs: PublishInput[]): Promise<BatchAnswer[]> => {
    const started = performance.now();
    const observe = (results: ('created' | 'replayed' | 'refused')[]) => {
      const seconds = (performance.now() - started) / 1000;
      for (const result of results) metrics.intakeDuration.observe({ result }, seconds);
    };
    try {
      const answers = await publishBatch(inputs);
      observe(
        answers.map((answer) =>
          answer instanceof AppError ? 'refused' : answer.replayed ? 'replayed' : 'created',
        ),
      );
      return answers;
    } catch (error) {
      observe(inputs.map(() => 'refused'));
      throw error;
    }
  };
}
