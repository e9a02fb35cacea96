// POST /events/batch: up to 500 events in one request, stored in one transaction; 202 with one answer
// per event, in order — accepted, or refused on its own (as POST /events would refuse it).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Container } from '../../../container.ts';
import { AppError } from '../../../domain/errors.ts';
import { errorResponses } from '../../schemas/common.ts';
import { EventBatchAccepted, EventBatchIn, MAX_BATCH_EVENTS } from '../../schemas/host.ts';
import { entryError, readEventBatch } from './event-batch-input.ts';

/** Admits 500 events with every field at its longest, even in 3-byte UTF-8 characters. */
export const BATCH_BODY_LIMIT = 4 * 1024 * 1024;

export const hostEventBatchRoutes =
  ({ services }: Container): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/events/batch',
      {
        bodyLimit: BATCH_BODY_LIMIT,
        // EventBatchIn documents the body; readEventBatch checks it, the envelope first, then each
        // entry on its own (a malformed entry is refused alone, not the batch).
        validatorCompiler: () => (data) => ({ value: data }),
        schema: {
          operationId: 'publishEventBatch',
          tags: ['Host API'],
          security: [{ bearer: [] }],
          summary: 'Publish up to 500 conversation events at once',
          description: `Stores every acceptable event and its deliveries in one transaction and answers 202 with \`data\`: one entry per event sent, in order — \`{id, deliveries, missed}\`, or \`{error: {code, message, details?}}\` with the code POST /internal/v1/events would answer for that event alone (\`validation_failed\`, \`unknown_event_type\`, \`conversation_not_found\`, \`idempotency_conflict\`). The other events are stored all the same. \`idempotency_key\` works as the \`idempotency-key\` header and shares its keys: a key used before (by either route, or earlier in the same batch) with the same event gives the same id and fans out once. Only a malformed envelope — the body not an object with just \`events\`, \`events\` not an array of 1–${MAX_BATCH_EVENTS} JSON objects — refuses the whole batch (422, nothing stored). Bodies up to 4 MiB.`,
          body: EventBatchIn,
          response: { 202: EventBatchAccepted, ...errorResponses(400, 401, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        const entries = readEventBatch(request.body as unknown);
        const valid = entries.flatMap((entry, index) => ('input' in entry ? [{ index, ...entry }] : []));
        const answers = await services.ingest.publishBatch(valid.map((entry) => entry.input));
        const answerOf = new Map(valid.map((entry, n) => [entry.index, answers[n]!]));
        const data = entries.map((entry, index) => {
          const answer = 'refusal' in entry ? entry.refusal : answerOf.get(index)!;
          return answer instanceof AppError
            ? entryError(index, answer)
            : { id: answer.id, deliveries: answer.deliveries, missed: answer.missed };
        });
        return reply.status(202).send({ data });
      },
    );
  };
