// The signing secret of a webhook: show it, rotate it (the previous one keeps signing for 24 hours).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Container } from '../../../container.ts';
import type { SecretView } from '../../../services/webhooks.ts';
import { readSecurity, writeSecurity } from '../../schemas/auth.ts';
import { errorResponses } from '../../schemas/common.ts';
import { SecretOut, WebhookIdParams } from '../../schemas/webhooks.ts';

const tags = ['Webhooks'];

const secretView = (view: SecretView) => ({
  secret: view.secret,
  previous_secret_expires_at: view.previousSecretExpiresAt?.toISOString() ?? null,
});

export const webhookSecretRoutes =
  ({ services }: Container): FastifyPluginAsyncZod =>
  async (app) => {
    const { webhooks } = services;

    app.get(
      '/webhooks/:id/secret',
      {
        config: { noStore: true },
        schema: {
          operationId: 'getWebhookSecret',
          tags,
          summary: 'Show the signing secret',
          security: readSecurity,
          params: WebhookIdParams,
          response: { 200: SecretOut, ...errorResponses(401, 404, 429) },
        },
      },
      async (request) => secretView(await webhooks.getSecret(request.user, request.params.id)),
    );

    app.post(
      '/webhooks/:id/secret/rotate',
      {
        config: { noStore: true },
        schema: {
          operationId: 'rotateWebhookSecret',
          tags,
          summary: 'Rotate the signing secret',
          description:
            'Issues a new secret. For 24 hours requests carry two signatures (new and previous secret), so receivers can switch without dropping events.',
          security: writeSecurity,
          params: WebhookIdParams,
          response: { 200: SecretOut, ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request) => secretView(await webhooks.rotateSecret(request.user, request.params.id)),
    );
  };
