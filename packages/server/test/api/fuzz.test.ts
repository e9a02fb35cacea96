// Property-based fuzzing of every route in the OpenAPI route table: random and mutated bodies, path
// ids and query strings never produce a 5xx, and the stored data keeps its invariants.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { DATABASE_KINDS } from '../support/databases.ts';
import { insertConversation } from '../support/fixtures.ts';
import { createUserWithToken } from '../support/users.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Route {
  method: Method;
  path: string;
}

/** Valid bodies to mutate, so that fuzzing also reaches the code behind validation. */
const SEEDS: Record<string, unknown> = {
  'POST /api/v1/session': { email: 'fuzz@example.com', password: 'fuzz-password' },
  'POST /api/v1/tokens': { name: 'fuzz' },
  'POST /api/v1/webhooks': {
    url: 'http://127.0.0.1:9/hook',
    description: 'fuzz',
    events: ['conversation.ready'],
  },
  'PATCH /api/v1/webhooks/{id}': { description: 'patched', events: ['conversation.failed'] },
  'POST /api/v1/webhooks/{id}/resume': { send_missed: true },
  'POST /api/v1/webhooks/{id}/test': { type: 'conversation.ready' },
  'PUT /internal/v1/users/{id}': { email: 'fuzzed@example.com', plan: 'pro', team_ids: [] },
  'PUT /internal/v1/teams/{id}': { name: 'Fuzz team' },
  'PUT /internal/v1/conversations/{id}': { owner_id: 'u_fuzz', title: 'Fuzz', shared_with_users: [] },
  'POST /internal/v1/events': { type: 'conversation.ready', conversation_id: 'c_fuzz' },
};

const jsonValue = fc.jsonValue({ maxDepth: 3 });

/** A seed with one key removed, replaced by a random value, or joined by an unknown key. */
const mutated = (seed: Record<string, unknown>) =>
  fc.oneof(
    fc
      .constantFrom(...Object.keys(seed))
      .map((key) => Object.fromEntries(Object.entries(seed).filter(([k]) => k !== key))),
    fc
      .tuple(fc.constantFrom(...Object.keys(seed)), jsonValue)
      .map(([key, value]) => ({ ...seed, [key]: value })),
    fc.tuple(fc.string({ maxLength: 12 }), jsonValue).map(([key, value]) => ({ ...seed, [key]: value })),
  );

const bodyFor = (route: Route) => {
  const seed = SEEDS[`${route.method} ${route.path}`] as Record<string, unknown> | undefined;
  const raw = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1')),
  );
  const options = [
    jsonValue.map((v) => JSON.stringify(v)),
    raw.map((r) => r),
    ...(seed ? [mutated(seed).map((v) => JSON.stringify(v))] : []),
  ];
  return fc.oneof(...options);
};

const pathSegment = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('wh_', 'att_x', '..', '%00', '-1', '1e309', 'evt_test_'),
  fc.string({ unit: 'binary', maxLength: 300 }),
);

const query = fc.record(
  {
    limit: fc.oneof(fc.integer({ min: -5, max: 500 }).map(String), fc.string({ maxLength: 6 })),
    cursor: fc.string({ maxLength: 40 }),
    status: fc.constantFrom('succeeded', 'failed', "' OR 1=1 --", ''),
    type: fc.oneof(fc.constant('conversation.ready'), fc.string({ maxLength: 12 })),
  },
  { requiredKeys: [] },
);

describe.each(DATABASE_KINDS)('fuzzing every route on %s', (kind) => {
  let t: TestApp;
  let routes: Route[];
  let headers: Record<string, string>;
  const realIds: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp(kind, { KLANG_RATE_LIMIT: '1000000' });
    const user = await createUserWithToken(t, 'pro');
    headers = user.headers;
    const webhook = await t.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers,
      payload: { url: 'http://127.0.0.1:9/hook' },
    });
    realIds.id = webhook.json().id;
    await insertConversation(t.database.db, user.userId, {}, 'c_fuzz');
    const document = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map((method) => ({ method: method.toUpperCase() as Method, path })),
    );
  });
  afterAll(() => t.dispose());

  it('covers the whole route table', () => {
    expect(routes.length).toBeGreaterThan(20);
  });

  it('never answers 5xx, whatever the body, ids and query', async () => {
    for (const route of routes) {
      const auth = route.path.startsWith('/internal/') ? t.hostAuth : headers;
      await fc.assert(
        fc.asyncProperty(
          bodyFor(route),
          fc.array(fc.oneof(pathSegment, fc.constant(realIds.id ?? 'wh_x')), { minLength: 3, maxLength: 3 }),
          query,
          fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', undefined),
          async (body, segments, params, contentType) => {
            let index = 0;
            const url = route.path.replace(/\{\w+\}/g, () => encodeURIComponent(segments[index++] ?? 'x'));
            const withBody = route.method !== 'GET';
            const response = await t.app.inject({
              method: route.method,
              url,
              query: route.method === 'GET' ? params : {},
              headers: { ...auth, ...(withBody && contentType ? { 'content-type': contentType } : {}) },
              ...(withBody ? { payload: body } : {}),
            });
            if (response.statusCode >= 500) {
              throw new Error(`${route.method} ${url} → ${response.statusCode} ${response.body}`);
            }
            expect(() => JSON.parse(response.body || '{}')).not.toThrow();
          },
        ),
        { numRuns: 40 },
      );
    }
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('keeps the stored data consistent afterwards', async () => {
    const { db } = t.database;
    const orphanDeliveries = await db
      .selectFrom('deliveries as d')
      .leftJoin('events as e', 'e.id', 'd.event_id')
      .leftJoin('webhooks as w', 'w.id', 'd.webhook_id')
      .select('d.id')
      .where((eb) => eb.or([eb('e.id', 'is', null), eb('w.id', 'is', null)]))
      .execute();
    expect(orphanDeliveries).toEqual([]);
    const orphanAttempts = await db
      .selectFrom('attempts as a')
      .leftJoin('deliveries as d', 'd.id', 'a.delivery_id')
      .select('a.id')
      .where('d.id', 'is', null)
      .execute();
    expect(orphanAttempts).toEqual([]);
    const webhooks = await db.selectFrom('webhooks').select(['events', 'status']).execute();
    for (const webhook of webhooks) {
      expect((JSON.parse(webhook.events) as string[]).length).toBeGreaterThan(0);
      expect(['active', 'paused', 'auto_paused']).toContain(webhook.status);
    }
  });
});
