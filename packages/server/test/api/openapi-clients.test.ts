// What a client generator needs from the OpenAPI document: an operationId per route, optional bodies
// marked optional, every answer a route can give (with its headers), typed times and error codes,
// and no schema that nothing uses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/domain/errors.ts';

interface Operation {
  operationId?: string;
  security?: unknown[];
  requestBody?: { required?: boolean };
  responses: Record<string, { headers?: Record<string, unknown> }>;
}
type Schema = { properties?: Record<string, Schema>; format?: string; anyOf?: Schema[] } & Record<
  string,
  unknown
>;

const document = JSON.parse(
  readFileSync(new URL('../../../../docs/openapi.json', import.meta.url), 'utf8'),
) as {
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, { description?: string }> };
};
const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({ path, method, op, label: `${method} ${path}` })),
);

describe('OpenAPI document for generated clients', () => {
  it('names every operation with a unique operationId', () => {
    const ids = operations.map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('marks the bodies of resume and test optional, and the others required', () => {
    const optional = operations
      .filter(({ op }) => op.requestBody && !op.requestBody.required)
      .map((o) => o.label);
    expect(optional.sort()).toEqual(['post /api/v1/webhooks/{id}/resume', 'post /api/v1/webhooks/{id}/test']);
  });

  it('lists the answers every route can give, with Retry-After and Allow', () => {
    for (const { path, method, op, label } of operations) {
      const statuses = Object.keys(op.responses);
      for (const status of ['400', '405', '500', '503']) expect(statuses, label).toContain(status);
      if (method !== 'get') expect(statuses, label).toEqual(expect.arrayContaining(['413', '415']));
      if (path.startsWith('/api/v1/') && path !== '/api/v1/session') expect(statuses, label).toContain('401');
      if (path.startsWith('/api/v1/'))
        expect(op.responses['429']?.headers, label).toHaveProperty('Retry-After');
      expect(op.responses['503']?.headers, label).toHaveProperty('Retry-After');
      expect(op.responses['405']?.headers, label).toHaveProperty('Allow');
    }
    expect(document.paths['/api/v1/session']!.post!.responses['200']!.headers).toHaveProperty('Set-Cookie');
    expect(document.paths['/internal/v1/events']!.post!.responses['202']!.headers).toHaveProperty(
      'idempotent-replayed',
    );
  });

  it('types every time as date-time and every error code as the catalog', () => {
    const times: string[] = [];
    const visit = (schema: Schema, at: string) => {
      for (const [name, inner] of Object.entries(schema.properties ?? {})) {
        const variants = inner.anyOf ?? [inner];
        if (/_at$|^hour$/.test(name)) {
          times.push(`${at}.${name}`);
          expect(
            variants.some((v) => v.format === 'date-time'),
            `${at}.${name}`,
          ).toBe(true);
        }
        for (const variant of variants) visit(variant, `${at}.${name}`);
      }
    };
    for (const [name, schema] of Object.entries(document.components.schemas)) visit(schema, name);
    expect(times.length).toBeGreaterThan(10);
    const code = document.components.schemas.Error!.properties!.error!.properties!.code!;
    expect(code.enum).toEqual(Object.keys(ERRORS));
  });

  it('keeps only schemas in use, without input/output twins', () => {
    const text = JSON.stringify(document.paths);
    const schemas = document.components.schemas;
    for (const name of Object.keys(schemas)) {
      const used =
        text.includes(`"#/components/schemas/${name}"`) || JSON.stringify(schemas).includes(`/${name}"`);
      expect(used, name).toBe(true);
      if (name.endsWith('Input')) expect(schemas[name.slice(0, -5)], name).toBeUndefined();
    }
  });

  it('says the bearer token is the kwt_ value and names a server', () => {
    expect(document.components.securitySchemes.bearer!.description).toMatch(/`kwt_…`.*not its `tok_…` id/);
    expect(document.servers?.length).toBeGreaterThan(0);
  });
});
