// The web UI: the built files of packages/web served at / (hashed assets cached for a year) and
// index.html for the client routes, with the headers that keep the pages from being framed.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { errorBody } from '../plugins/errors.ts';

/** Where `npm run build -w @klang-webhooks/web` writes the UI. */
export const WEB_ROOT = fileURLToPath(new URL('../../../../web/dist/', import.meta.url));

/** The client routes (CONTRACT.md, "Web UI"); each answers the same index.html. */
const CLIENT_ROUTES = ['/', '/sign-in', '/settings', '/settings/*'];

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // Mantine writes its CSS variables in a <style> element.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Answers an HTML page of the service with the headers that keep it from being framed or sniffed. */
export function sendPage(reply: FastifyReply, html: string) {
  return reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'same-origin')
    .header('cache-control', 'no-cache')
    .send(html);
}

export async function registerWebUi(app: FastifyInstance, root: string = WEB_ROOT): Promise<void> {
  const indexFile = `${root}index.html`;
  if (!existsSync(indexFile)) {
    // A checkout that was never built: say how to build instead of a bare 404.
    for (const url of CLIENT_ROUTES) {
      app.get(url, { schema: { hide: true } }, (_request, reply) =>
        reply
          .status(503)
          .send(
            errorBody('service_unavailable', 'The web UI is not built; run `npm run build`, then restart.'),
          ),
      );
    }
    return;
  }
  const html = readFileSync(indexFile, 'utf8');
  for (const url of CLIENT_ROUTES) {
    app.get(url, { schema: { hide: true } }, (_request, reply) => sendPage(reply, html));
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: false,
    wildcard: true,
    // Files under assets/ carry a content hash in their names and never change.
    setHeaders(reply, path) {
      reply.header(
        'cache-control',
        path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
      );
    },
  });
}
