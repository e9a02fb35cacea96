// The ownership matrix, generated from the route table (the OpenAPI document): every /api/v1 route
// that takes an id, called by another user with A's ids, answers 404 with the same body as for an id
// that does not exist — and A's data is unchanged afterwards.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUserWithToken, type TestUser } from '../support/users.ts';
import {
  type ApiCaller,
  apiAs,
  deliveryOf,
  insertAttempt,
  type Method,
  publishEvent,
} from '../support/webhook-api.ts';

interface IdRoute {
  method: Method;
  /** OpenAPI path without the /api/v1 prefix, e.g. /webhooks/{id}/attempts/{attempt_id}. */
  path: string;
}

/** A valid body for routes that take one, so that only ownership can make them fail. */
const BODIES: Record<string, unknown> = {
  'PATCH /webhooks/{id}': { description: 'taken over', url: 'http://127.0.0.1:9/evil' },
  'POST /webhooks/{id}/resume': { send_missed: true },
  'POST /webhooks/{id}/test': { type: 'conversation.ready' },
  'POST /listen-sessions/{id}/deliveries/{delivery_id}/result': {
    request_headers: {},
    status: 200,
    duration_ms: 1,
  },
};

/** Which kind of id each path parameter names, by the collection it follows. */
function idKind(path: string, param: string): 'webhook' | 'attempt' | 'delivery' | 'token' | 'listen' {
  if (param === 'attempt_id') return 'attempt';
  if (param === 'delivery_id') return 'delivery';
  if (param === 'id' && path.startsWith('/webhooks/')) return 'webhook';
  if (param === 'id' && path.startsWith('/tokens/')) return 'token';
  if (param === 'id' && path.startsWith('/listen-sessions/')) return 'listen';
  throw new Error(`the ownership matrix does not know the id ${param} of ${path}; add it here`);
}

const FRESH_ID = {
  webhook: () => newId.webhook() as string,
  attempt: () => newId.attempt() as string,
  delivery: () => newId.delivery() as string,
  token: () => newId.token() as string,
  listen: () => newId.webhook() as string,
};

function fill(path: string, ids: (kind: ReturnType<typeof idKind>) => string): string {
  return path.replace(/\{(\w+)\}/g, (_, param: string) => ids(idKind(path, param)));
}

describeEachDatabase('ownership matrix on %s', (kind) => {
  let t: TestApp;
  let owner: TestUser;
  let ownerApi: ApiCaller;
  let routes: IdRoute[];
  const ownerIds = {} as Record<ReturnType<typeof idKind>, string>;

  /** Everything A can see, to compare before and after the other users' calls. */
  const snapshot = async () => {
    const webhook = (await ownerApi.get(`/webhooks/${ownerIds.webhook}`)).json();
    const secret = (await ownerApi.get(`/webhooks/${ownerIds.webhook}/secret`)).json();
    const tokens = (await ownerApi.get('/tokens')).json().data.map((tk: { id: string }) => tk.id);
    const attempts = (await ownerApi.get(`/webhooks/${ownerIds.webhook}/attempts`)).json();
    const rows = await t.database.db
      .selectFrom('deliveries')
      .select(['id', 'status', 'next_attempt_at', 'locked_until', 'attempts'])
      .where('webhook_id', '=', ownerIds.webhook)
      .orderBy('id')
      .execute();
    const events = await t.database.db.selectFrom('events').select('id').orderBy('id').execute();
    return { webhook, secret, tokens, attempts, rows, events };
  };

  beforeAll(async () => {
    t = await createTestApp(kind);
    owner = await createUserWithToken(t, 'pro');
    ownerApi = apiAs(t, owner.headers);
    const webhook = await ownerApi.post('/webhooks', {
      url: 'http://127.0.0.1:9/owner',
      description: 'mine',
    });
    ownerIds.webhook = webhook.json().id;
    const eventId = await publishEvent(t, owner.userId);
    const delivery = await deliveryOf(t, eventId, ownerIds.webhook);
    await t.database.db
      .updateTable('deliveries')
      .set({ status: 'failed' })
      .where('id', '=', delivery.id)
      .execute();
    ownerIds.delivery = delivery.id;
    ownerIds.attempt = await insertAttempt(t, ownerIds.webhook, {
      deliveryId: delivery.id,
      eventId,
      outcome: 'failed',
    });
    ownerIds.token = (await ownerApi.post('/tokens', { name: 'owner token' })).json().id;
    ownerIds.listen = (await ownerApi.post('/listen-sessions', {})).json().id;

    const document = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    routes = [];
    for (const [fullPath, operations] of Object.entries<Record<string, unknown>>(document.paths)) {
      if (!fullPath.startsWith('/api/v1/') || !fullPath.includes('{')) continue;
      for (const method of Object.keys(operations)) {
        routes.push({ method: method.toUpperCase() as Method, path: fullPath.slice('/api/v1'.length) });
      }
    }
  });
  afterAll(() => t.dispose());

  it('finds every id-taking route in the route table', () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    for (const expected of [
      'GET /webhooks/{id}',
      'PATCH /webhooks/{id}',
      'DELETE /webhooks/{id}',
      'POST /webhooks/{id}/pause',
      'POST /webhooks/{id}/resume',
      'GET /webhooks/{id}/secret',
      'POST /webhooks/{id}/secret/rotate',
      'POST /webhooks/{id}/test',
      'GET /webhooks/{id}/attempts',
      'GET /webhooks/{id}/attempts/{attempt_id}',
      'POST /webhooks/{id}/deliveries/{delivery_id}/resend',
      'GET /webhooks/{id}/stats',
      'DELETE /tokens/{id}',
    ]) {
      expect(names).toContain(expected);
    }
    // Every parameter of every route is known to the matrix (a new route cannot slip past it).
    for (const route of routes) expect(() => fill(route.path, (k) => ownerIds[k])).not.toThrow();
  });

  it.each(['pro', 'free'] as const)(
    'a %s user gets 404 on every route with the owner’s ids, the same body as for unknown ids',
    async (plan) => {
      const before = await snapshot();
      const intruder = await createUserWithToken(t, plan);
      const intruderApi = apiAs(t, intruder.headers);
      // The intruder's own webhook, to pair with the owner's attempt and delivery ids.
      const ownWebhook =
        plan === 'pro'
          ? (await intruderApi.post('/webhooks', { url: 'http://127.0.0.1:9/intruder' })).json().id
          : undefined;

      for (const route of routes) {
        const body = BODIES[`${route.method} ${route.path}`];
        const label = `${route.method} ${route.path}`;
        const variants = [{ name: 'all ids the owner’s', ids: (k: keyof typeof ownerIds) => ownerIds[k] }];
        if (ownWebhook && route.path.match(/\{/g)!.length > 1) {
          variants.push({
            name: 'own webhook, owner’s inner id',
            ids: (k) => (k === 'webhook' ? ownWebhook : ownerIds[k]),
          });
        }
        for (const variant of variants) {
          const taken = await intruderApi.call(route.method, fill(route.path, variant.ids), body);
          const freshIds = {
            webhook: FRESH_ID.webhook(),
            attempt: FRESH_ID.attempt(),
            delivery: FRESH_ID.delivery(),
            token: FRESH_ID.token(),
            listen: FRESH_ID.listen(),
          };
          const unknown = await intruderApi.call(
            route.method,
            fill(route.path, (k) =>
              k === 'webhook' && variant.name.startsWith('own') ? ownWebhook! : freshIds[k],
            ),
            body,
          );
          expect(taken.statusCode, `${label} (${variant.name}): ${taken.body}`).toBe(404);
          expect(unknown.statusCode, `${label} unknown: ${unknown.body}`).toBe(404);
          // Same body once the echoed id (if any) is blanked out.
          const blank = (text: string, ids: string[]) =>
            ids.reduce((acc, id) => acc.replaceAll(id, '<id>'), text);
          expect(blank(taken.body, Object.values(ownerIds)), label).toBe(
            blank(unknown.body, Object.values(freshIds)),
          );
          expect(taken.json().error.code).toMatch(/_not_found$/);
        }
      }
      expect(await snapshot()).toEqual(before);
    },
  );

  it('the owner still reaches every route with the same ids', async () => {
    // The listen stream never ends on its own; cli-listen.test.ts reads it over real HTTP.
    for (const route of routes.filter((r) => r.method === 'GET' && !r.path.endsWith('/stream'))) {
      const response = await ownerApi.call(
        route.method,
        fill(route.path, (k) => ownerIds[k]),
      );
      expect(response.statusCode, `${route.method} ${route.path}`).toBe(200);
    }
  });
});
