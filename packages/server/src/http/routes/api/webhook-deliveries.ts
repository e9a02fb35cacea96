// Observing and driving deliveries of one webhook: send a test event, the attempt log, one attempt in
// full, resend a delivery, and the last-24-hours stats.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Container } from '../../../container.ts';
import { readSecurity, writeSecurity } from '../../schemas/auth.ts';
import { errorResponses } from '../../schemas/common.ts';
import {
  AttemptDetail,
  AttemptList,
  AttemptParams,
  AttemptQuery,
  DeliveryParams,
  emptyBodyAsObject,
  ResendAccepted,
  StatsOut,
  TestEventAccepted,
  TestEventIn,
  WebhookIdParams,
} from '../../schemas/webhooks.ts';
import { attemptDetailView, attemptView, statsView } from './webhook-views.ts';

const tags = ['Deliveries'];

export const webhookDeliveryRoutes =
  ({ services }: Container): FastifyPluginAsyncZod =>
  async (app) => {
    const { testEvents, deliveryLog } = services;

    app.post(
      '/webhooks/:id/test',
      {
        schema: {
          operationId: 'sendTestEvent',
          tags,
          summary: 'Send a test event',
          description:
            'Creates an `evt_test_…` event of the chosen type referencing a sample conversation and delivers it, signed like a real one, to this webhook only; its attempts say `test: true`. `type` is required when the webhook subscribes to several event types. Needs the Pro or Team plan; a paused webhook answers 409 webhook_paused.',
          security: writeSecurity,
          params: WebhookIdParams,
          body: TestEventIn,
          response: {
            202: TestEventAccepted,
            ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 429),
          },
        },
        preValidation: emptyBodyAsObject,
      },
      async (request, reply) => {
        const sent = await testEvents.send(request.user, request.params.id, request.body.type);
        return reply.status(202).send({ event_id: sent.eventId });
      },
    );

    app.get(
      '/webhooks/:id/attempts',
      {
        schema: {
          operationId: 'listAttempts',
          tags,
          summary: 'List delivery attempts, newest first',
          security: readSecurity,
          params: WebhookIdParams,
          querystring: AttemptQuery,
          response: { 200: AttemptList, ...errorResponses(401, 404, 422, 429) },
        },
      },
      async (request) => {
        const { status, type, event_id, cursor, limit } = request.query;
        const page = await deliveryLog.listAttempts(request.user, request.params.id, {
          status,
          type,
          eventId: event_id,
          cursor,
          limit,
        });
        return { data: page.items.map(attemptView), next_cursor: page.nextCursor };
      },
    );

    app.get(
      '/webhooks/:id/attempts/:attempt_id',
      {
        // The request headers and body shown are what was signed; keep them out of caches.
        config: { noStore: true },
        schema: {
          operationId: 'getAttempt',
          tags,
          summary: 'Get one attempt with its request and response',
          security: readSecurity,
          params: AttemptParams,
          response: { 200: AttemptDetail, ...errorResponses(401, 404, 429) },
        },
      },
      async (request) =>
        attemptDetailView(
          await deliveryLog.getAttempt(request.user, request.params.id, request.params.attempt_id),
        ),
    );

    app.post(
      '/webhooks/:id/deliveries/:delivery_id/resend',
      {
        schema: {
          operationId: 'resendDelivery',
          tags,
          summary: 'Resend a delivery',
          description:
            'Queues one more attempt of the same event (same `webhook-id` header), due now. 409 conflict while an attempt of it is in flight.',
          security: writeSecurity,
          params: DeliveryParams,
          response: { 202: ResendAccepted, ...errorResponses(401, 403, 404, 409, 429) },
        },
      },
      async (request, reply) => {
        await deliveryLog.resend(request.user, request.params.id, request.params.delivery_id);
        return reply.status(202).send({ delivery_id: request.params.delivery_id });
      },
    );

    app.get(
      '/webhooks/:id/stats',
      {
        schema: {
          operationId: 'getWebhookStats',
          tags,
          summary: 'Delivery stats of the last 24 hours',
          security: readSecurity,
          params: WebhookIdParams,
          response: { 200: StatsOut, ...errorResponses(401, 404, 429) },
        },
      },
      async (request) => statsView(await deliveryLog.stats(request.user, request.params.id)),
    );
  };
