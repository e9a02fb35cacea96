// Listen sessions, the server side of `klang-webhooks listen`: create a development endpoint, stream
// its deliveries (Server-Sent Events, signed as production signs them), take the local answers back
// into the attempt log, and remove the endpoint. The server never connects to the developer.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Container } from '../../../container.ts';
import type { Caller } from '../../../services/ownership.ts';
import { readSecurity, writeSecurity } from '../../schemas/auth.ts';
import { errorResponses } from '../../schemas/common.ts';
import {
  ListenResultIn,
  ListenResultOut,
  ListenResultParams,
  ListenSessionIn,
  ListenSessionOut,
  ListenSessionParams,
} from '../../schemas/listen-sessions.ts';
import { emptyBodyAsObject } from '../../schemas/webhooks.ts';
import { webhookView } from './webhook-views.ts';

const tags = ['Listen sessions'];
const POLL_MS = 500;
const KEEPALIVE_MS = 15_000;

type Stream = {
  write(chunk: string): boolean;
  end(): void;
  on(event: 'close', listener: () => void): unknown;
};

/** Writes due deliveries as `delivery` events until the client goes or the session is removed. */
function pump(container: Container, caller: Caller, id: string, stream: Stream): void {
  const { listenSessions } = container.services;
  let closed = false;
  let running = false;
  let lastWrite = Date.now();
  const tick = async () => {
    if (closed || running) return;
    running = true;
    try {
      await listenSessions.requireSession(caller, id);
      for (const event of await listenSessions.take(caller, id)) {
        stream.write(`event: delivery\nid: ${event.delivery_id}\ndata: ${JSON.stringify(event)}\n\n`);
        lastWrite = Date.now();
      }
      if (Date.now() - lastWrite >= KEEPALIVE_MS) {
        stream.write(': keep-alive\n\n');
        lastWrite = Date.now();
      }
    } catch (error) {
      stream.write(`event: closed\ndata: ${JSON.stringify({ message: (error as Error).message })}\n\n`);
      stop();
      stream.end();
    } finally {
      running = false;
    }
  };
  const timer = setInterval(tick, POLL_MS);
  const unsubscribe = container.queueSignal.onWake(() => void tick());
  const stop = () => {
    closed = true;
    clearInterval(timer);
    unsubscribe();
  };
  stream.on('close', stop);
  void tick();
}

export const listenSessionRoutes =
  (container: Container): FastifyPluginAsyncZod =>
  async (app) => {
    const { listenSessions } = container.services;
    // Open streams end when the server closes, so a listening CLI never holds up a shutdown.
    const open = new Set<{ end(): void }>();
    app.addHook('onClose', async () => {
      for (const stream of open) stream.end();
    });
    const view = (webhook: Parameters<typeof webhookView>[0], plan: Parameters<typeof webhookView>[1]) =>
      webhookView(webhook, plan, container.config.autoPauseAfter);

    app.post(
      '/listen-sessions',
      {
        config: { noStore: true },
        schema: {
          tags,
          operationId: 'createListenSession',
          summary: 'Create a development endpoint for `klang-webhooks listen`',
          description:
            'A webhook in status `listening`: events you can see and test events sent to it are not sent over HTTP but streamed by GET /listen-sessions/{id}/stream. The answer carries its signing secret. Needs the Pro or Team plan; counts toward the webhook limit until deleted.',
          security: writeSecurity,
          body: ListenSessionIn,
          response: { 201: ListenSessionOut, ...errorResponses(400, 401, 403, 409, 413, 415, 422, 429) },
        },
        preValidation: emptyBodyAsObject,
      },
      async (request, reply) => {
        const { webhook, secret } = await listenSessions.open(request.user, {
          events: request.body.events,
          forwardTo: request.body.forward_to,
        });
        return reply.status(201).send({ id: webhook.id, secret, webhook: view(webhook, request.user.plan) });
      },
    );

    app.get(
      '/listen-sessions/:id/stream',
      {
        schema: {
          tags,
          operationId: 'streamListenSession',
          summary: 'Stream the deliveries of a development endpoint (Server-Sent Events)',
          description:
            'A `text/event-stream`: one `delivery` event per delivery, its data `{delivery_id, event_id, type, test, attempt, headers, body}` with the exact body and the headers signed as production signs them. A delivery is streamed again when no result arrives within 60 s. An event `closed` ends the stream when the session is removed.',
          security: readSecurity,
          params: ListenSessionParams,
          response: { 200: z.string().describe('text/event-stream'), ...errorResponses(401, 404, 429) },
        },
      },
      async (request, reply) => {
        await listenSessions.requireSession(request.user, request.params.id);
        reply.hijack();
        reply.raw.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          connection: 'keep-alive',
        });
        reply.raw.write(': connected\n\n');
        open.add(reply.raw);
        reply.raw.on('close', () => open.delete(reply.raw));
        pump(container, request.user, request.params.id, reply.raw);
      },
    );

    app.post(
      '/listen-sessions/:id/deliveries/:delivery_id/result',
      {
        schema: {
          tags,
          operationId: 'reportListenResult',
          summary: 'Report what the local receiver answered to a streamed delivery',
          description:
            'Becomes the delivery’s attempt in the attempt log (2xx succeeded, anything else failed; no retries).',
          security: writeSecurity,
          params: ListenResultParams,
          body: ListenResultIn,
          response: { 200: ListenResultOut, ...errorResponses(400, 401, 403, 404, 413, 415, 422, 429) },
        },
      },
      async (request) => {
        const { id, delivery_id } = request.params;
        const outcome = await listenSessions.report(request.user, id, delivery_id, request.body);
        return { outcome: outcome.outcome };
      },
    );

    app.delete(
      '/listen-sessions/:id',
      {
        schema: {
          tags,
          operationId: 'deleteListenSession',
          summary: 'Remove a development endpoint and its delivery history',
          security: writeSecurity,
          params: ListenSessionParams,
          response: { 204: z.null().describe('Removed'), ...errorResponses(401, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        await listenSessions.close(request.user, request.params.id);
        return reply.status(204).send(null);
      },
    );
  };
