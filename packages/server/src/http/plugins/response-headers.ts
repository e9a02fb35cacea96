// Headers on every answer: X-Content-Type-Options: nosniff always, and Cache-Control: no-store on the
// routes whose answers carry a secret or a token (route config `noStore: true`).
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The answer holds a secret or a token: no cache may keep it. */
    noStore?: boolean;
  }
}

export const NOSNIFF = { 'x-content-type-options': 'nosniff' } as const;

/** Register before any route, so every route, error and not-found answer gets them. */
export function registerResponseHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.headers(NOSNIFF);
    if (request.routeOptions.config?.noStore) void reply.header('cache-control', 'no-store');
    return payload;
  });
}
