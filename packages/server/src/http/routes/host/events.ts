// POST /events: publish a conversation event; 202 only after the event and its fan-out are committed.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Container } from '../../../container.ts';
import { errorResponses } from '../../schemas/common.ts';
import { EventAccepted, EventHeaders, EventIn } from '../../schemas/host.ts';

export const hostEventRoutes =
  ({ services }: Container): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/events',
      {
        // The hottest route: its answers are built below from typed values, so they are written as
        // they are (the schemas still document them) instead of being parsed again on the way out.
        serializerCompiler: () => (data) => JSON.stringify(data),
        schema: {
          operationId: 'publishEvent',
          tags: ['Host API'],
          security: [{ bearer: [] }],
          summary: 'Publish a conversation event',
          description:
            'Stores the event and one delivery per eligible webhook in one transaction. The same `idempotency-key` returns the same event and fans out once; reusing it with a different body is 409.',
          headers: EventHeaders,
          body: EventIn,
          response: { 202: EventAccepted, ...errorResponses(400, 401, 404, 409, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        const published = await services.ingest.publish({
          type: request.body.type,
          conversationId: request.body.conversation_id,
          error: request.body.error,
          idempotencyKey: request.headers['idempotency-key'],
        });
        if (published.replayed) void reply.header('idempotent-replayed', 'true');
        return reply
          .status(202)
          .send({ id: published.id, deliveries: published.deliveries, missed: published.missed });
      },
    );
  };
