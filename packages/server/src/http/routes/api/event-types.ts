// GET /event-types: the catalog of event types with descriptions and payload JSON Schemas.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Container } from '../../../container.ts';
import { EVENT_DESCRIPTIONS, EVENT_TYPES, eventJsonSchema } from '../../../domain/event-catalog.ts';
import { readSecurity } from '../../schemas/auth.ts';
import { errorResponses } from '../../schemas/common.ts';
import { EventTypeList } from '../../schemas/webhooks.ts';

const catalog = {
  data: EVENT_TYPES.map((type) => ({
    type,
    description: EVENT_DESCRIPTIONS[type],
    schema: eventJsonSchema(type),
  })),
};

export const eventTypeRoutes =
  (_container: Container): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/event-types',
      {
        schema: {
          operationId: 'listEventTypes',
          tags: ['Webhooks'],
          summary: 'List the event types a webhook can subscribe to',
          security: readSecurity,
          response: { 200: EventTypeList, ...errorResponses(401, 429) },
        },
      },
      async () => catalog,
    );
  };
