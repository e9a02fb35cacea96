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
  // Only the built assets and the icon are files; every other path stays with the router, so an
  // unknown or oversized path keeps its JSON 404.
  await app.register(fastifyStatic, {
    root: `${root}assets`,
    prefix: '/assets/',
    index: false,
    // Their names carry a content hash: they never change.
    setHeaders(reply) {
      reply.header('cache-control', 'public, max-age=31536000, immutable');
    },
  });
  const icon = `${root}favicon.svg`;
  if (existsSync(icon)) {
    const svg = readFileSync(icon);
    app.get('/favicon.svg', { schema: { hide: true } }, (_request, reply) =>
      reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(svg),
    );
  }
}
