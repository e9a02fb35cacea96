import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandling } from '../src/http/plugins/errors.ts';
import { registerWebUi } from '../src/http/routes/web-ui.ts';
import { createTestApp, type TestApp } from './support/app.ts';

describe('the web UI served at /', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
  });
  afterAll(() => t.dispose());

  it.each([
    '/',
    '/sign-in',
    '/settings/developers/webhooks',
    '/settings/developers/webhooks/wh_01jd0000000000000000000000',
  ])('answers the app page at %s, unframeable', async (url) => {
    const page = await t.app.inject(url);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<div id="root"></div>');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['referrer-policy']).toBe('same-origin');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves the hashed assets the page names, cached for good', async () => {
    const page = await t.app.inject('/');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const asset = await t.app.inject(script!);
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toContain('javascript');
    expect(asset.headers['cache-control']).toContain('immutable');
  });

  it.each(['/api/v1/nope', '/internal/v1/nope', '/assets/missing.js', '/nope'])(
    'keeps the JSON 404 for %s',
    async (url) => {
      const answer = await t.app.inject(url);
      expect(answer.statusCode).toBe(404);
      expect(answer.json().error.code).toBe('route_not_found');
    },
  );
});

describe('a checkout whose UI was never built', () => {
  it('says how to build it instead of a bare 404', async () => {
    const app = Fastify();
    registerErrorHandling(app);
    await registerWebUi(app, `${mkdtempSync(join(tmpdir(), 'klang-no-ui-'))}/`);
    const page = await app.inject('/');
    expect(page.statusCode).toBe(503);
    expect(page.json().error.message).toContain('npm run build');
    await app.close();
  });
});
