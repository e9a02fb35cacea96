// The OpenAPI document: served at /api/openapi.json, rendered at /docs, committed as docs/openapi.json
// (this test fails when the committed file is stale: run `npm run docs:openapi -w @klang-webhooks/server`).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderOpenApiDocument } from '../../src/openapi-document.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { WEBHOOK_KEYS } from '../support/webhook-api.ts';

const COMMITTED = new URL('../../../../docs/openapi.json', import.meta.url);

/** Every `$ref` in the document, as JSON pointers. */
function refs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refs(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') found.push(inner);
      else refs(inner, found);
    }
  }
  return found;
}

interface Operation {
  summary?: string;
  tags?: string[];
  security?: unknown[];
  responses: Record<string, unknown>;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> };
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let document: OpenApiDocument;
  beforeAll(async () => {
    t = await createTestApp('sqlite');
    const response = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    document = response.json();
  });
  afterAll(() => t.dispose());

  it('docs/openapi.json is up to date with the route schemas', async () => {
    const rendered = await renderOpenApiDocument();
    const committed = readFileSync(COMMITTED, 'utf8');
    expect(
      committed === rendered,
      'docs/openapi.json is stale: run `npm run docs:openapi -w @klang-webhooks/server` and commit it',
    ).toBe(true);
    expect(JSON.parse(committed)).toEqual(document);
  });

  it('is OpenAPI 3.1 with every $ref resolving', () => {
    expect(document.openapi).toBe('3.1.0');
    const schemas = document.components.schemas;
    for (const ref of refs(document)) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
    }
  });

  it('documents every user API route with a summary, tags, security and its error answers', () => {
    const operations = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
    expect(operations.length).toBeGreaterThanOrEqual(21);
    for (const { path, method, op } of operations) {
      const label = `${method} ${path}`;
      expect(op.summary, label).toBeTruthy();
      expect(op.tags?.length, label).toBeGreaterThan(0);
      if (!(path === '/api/v1/session' && method === 'post')) expect(op.security, label).toBeTruthy();
      expect(
        Object.keys(op.responses).some((s) => s.startsWith('2')),
        label,
      ).toBe(true);
      if (path.includes('{')) expect(op.responses['404'], label).toBeDefined();
    }
    const webhook = document.components.schemas.Webhook!;
    expect(Object.keys(webhook.properties).sort()).toEqual([...WEBHOOK_KEYS].sort());
    expect(webhook.properties.status?.enum).toEqual([
      'active',
      'paused',
      'auto_paused',
      'disabled_plan',
      'listening',
    ]);
  });

  it('serves a readable reference at /docs', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    const html =
      page.statusCode === 302
        ? await t.app.inject({ method: 'GET', url: page.headers.location as string })
        : page;
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.body).toMatch(/swagger-ui/i);
    const json = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(json.statusCode).toBe(200);
    expect(json.json().paths['/api/v1/webhooks']).toBeDefined();
  });
});
