// Webhooks of the caller: create, list (with 24-hour activity), get, edit, delete, pause and resume.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../../container.ts';
import { readSecurity, writeSecurity } from '../../schemas/auth.ts';
import { errorResponses, PageQuery } from '../../schemas/common.ts';
import {
  emptyBodyAsObject,
  ResumeIn,
  Webhook,
  WebhookCreated,
  WebhookIdParams,
  WebhookIn,
  WebhookList,
  WebhookPatchIn,
} from '../../schemas/webhooks.ts';
import { activityView, webhookView } from './webhook-views.ts';

const tags = ['Webhooks'];

export const webhookRoutes =
  ({ services, config }: Container): FastifyPluginAsyncZod =>
  async (app) => {
    const { webhooks, deliveryLog } = services;
    const view = (webhook: Parameters<typeof webhookView>[0], plan: Parameters<typeof webhookView>[1]) =>
      webhookView(webhook, plan, config.autoPauseAfter);

    app.post(
      '/webhooks',
      {
        config: { noStore: true },
        schema: {
          operationId: 'createWebhook',
          tags,
          summary: 'Create a webhook',
          description:
            'Needs the Pro or Team plan (403 plan_required). The URL must be a public HTTPS endpoint; a URL the policy refuses is 422 validation_failed with the reason on field `url`. At most 50 webhooks per user by default (409 webhook_limit_reached). The answer carries the signing secret.',
          security: writeSecurity,
          body: WebhookIn,
          response: { 201: WebhookCreated, ...errorResponses(400, 401, 403, 409, 413, 415, 422, 429) },
        },
      },
      async (request, reply) => {
        const { webhook, secret } = await webhooks.create(request.user, request.body);
        return reply.status(201).send({ ...view(webhook, request.user.plan), secret });
      },
    );

    app.get(
      '/webhooks',
      {
        schema: {
          operationId: 'listWebhooks',
          tags,
          summary: 'List your webhooks, oldest first, with their last 24 hours of activity',
          security: readSecurity,
          querystring: PageQuery,
          response: { 200: WebhookList, ...errorResponses(401, 422, 429) },
        },
      },
      async (request) => {
        const page = await webhooks.page(request.user, request.query);
        const activity = await deliveryLog.activity(page.items.map((w) => w.id));
        return {
          data: page.items.map((webhook) => ({
            ...view(webhook, request.user.plan),
            activity_24h: activityView(activity.get(webhook.id)!),
          })),
          next_cursor: page.nextCursor,
        };
      },
    );

    app.get(
      '/webhooks/:id',
      {
        schema: {
          operationId: 'getWebhook',
          tags,
          summary: 'Get a webhook',
          security: readSecurity,
          params: WebhookIdParams,
          response: { 200: Webhook, ...errorResponses(401, 404, 429) },
        },
      },
      async (request) => view(await webhooks.get(request.user, request.params.id), request.user.plan),
    );

    app.patch(
      '/webhooks/:id',
      {
        schema: {
          operationId: 'updateWebhook',
          tags,
          summary: 'Edit a webhook’s URL, description or event types',
          security: writeSecurity,
          params: WebhookIdParams,
          body: WebhookPatchIn,
          response: { 200: Webhook, ...errorResponses(400, 401, 403, 404, 413, 415, 422, 429) },
        },
      },
      async (request) =>
        view(await webhooks.update(request.user, request.params.id, request.body), request.user.plan),
    );

    app.delete(
      '/webhooks/:id',
      {
        schema: {
          operationId: 'deleteWebhook',
          tags,
          summary: 'Delete a webhook and its delivery history',
          security: writeSecurity,
          params: WebhookIdParams,
          response: { 204: z.null().describe('Deleted'), ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        await webhooks.remove(request.user, request.params.id);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/webhooks/:id/pause',
      {
        schema: {
          operationId: 'pauseWebhook',
          tags,
          summary: 'Pause a webhook',
          description:
            'Nothing is sent while paused; events that happen meanwhile are recorded as missed. Deliveries waiting for a retry continue after resume.',
          security: writeSecurity,
          params: WebhookIdParams,
          response: { 200: Webhook, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request) => view(await webhooks.pause(request.user, request.params.id), request.user.plan),
    );

    app.post(
      '/webhooks/:id/resume',
      {
        schema: {
          operationId: 'resumeWebhook',
          tags,
          summary: 'Resume a paused or auto-paused webhook',
          description:
            'Resuming an auto-paused webhook resets its failure count. With `send_missed: true` the events missed while paused are sent too. The body may be left out.',
          security: writeSecurity,
          params: WebhookIdParams,
          body: ResumeIn,
          response: { 200: Webhook, ...errorResponses(400, 401, 403, 404, 413, 415, 422, 429) },
        },
        preValidation: emptyBodyAsObject,
      },
      async (request) => {
        const { webhook } = await webhooks.resume(
          request.user,
          request.params.id,
          request.body.send_missed ?? false,
        );
        return view(webhook, request.user.plan);
      },
    );
  };
