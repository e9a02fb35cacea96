// The user API under /api/v1: one file per resource, registered here.
import type { FastifyPluginAsync } from 'fastify';
import type { Container } from '../../../container.ts';
import { registerUserAuth } from '../../plugins/user-auth.ts';
import { eventTypeRoutes } from './event-types.ts';
import { listenSessionRoutes } from './listen-sessions.ts';
import { meRoutes } from './me.ts';
import { sessionRoutes } from './session.ts';
import { tokenRoutes } from './tokens.ts';
import { webhookDeliveryRoutes } from './webhook-deliveries.ts';
import { webhookSecretRoutes } from './webhook-secret.ts';
import { webhookRoutes } from './webhooks.ts';

export const userApiRoutes =
  (container: Container): FastifyPluginAsync =>
  async (app) => {
    // Authentication first: its hook covers every route registered below.
    await registerUserAuth(app, container);
    await app.register(sessionRoutes(container));
    await app.register(meRoutes(container));
    await app.register(tokenRoutes(container));
    await app.register(eventTypeRoutes(container));
    await app.register(webhookRoutes(container));
    await app.register(webhookSecretRoutes(container));
    await app.register(webhookDeliveryRoutes(container));
    await app.register(listenSessionRoutes(container));
  };
