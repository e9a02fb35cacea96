import { afterAll, beforeAll, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/domain/event-catalog.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUserWithToken, sessionHeaders, signIn } from '../support/users.ts';
import {
  type ApiCaller,
  apiAs,
  deliveryOf,
  publishEvent,
  setPlan,
  WEBHOOK_KEYS,
} from '../support/webhook-api.ts';

describeEachDatabase('webhooks API on %s', (kind) => {
  let t: TestApp;
  let api: ApiCaller;
  let user: Awaited<ReturnType<typeof createUserWithToken>>;
  beforeAll(async () => {
    t = await createTestApp(kind);
    user = await createUserWithToken(t, 'pro');
    api = apiAs(t, user.headers);
  });
  afterAll(() => t.dispose());

  const create = async (body: Record<string, unknown> = {}) => {
    const response = await api.post('/webhooks', { url: 'http://127.0.0.1:9/hook', ...body });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };

  it('lists the event types with descriptions and JSON Schemas', async () => {
    const response = await api.get('/event-types');
    expect(response.statusCode).toBe(200);
    const { data } = response.json();
    expect(data.map((d: { type: string }) => d.type)).toEqual([...EVENT_TYPES]);
    for (const item of data) {
      expect(item.description.length).toBeGreaterThan(10);
      expect(item.schema).toMatchObject({ type: 'object', required: ['id', 'type', 'created_at', 'data'] });
    }
  });

  it('creates a webhook with all event types by default and answers with the secret once', async () => {
    const created = await create({ description: 'CRM sync' });
    expect(Object.keys(created).sort()).toEqual([...WEBHOOK_KEYS, 'secret'].sort());
    expect(created).toMatchObject({
      url: 'http://127.0.0.1:9/hook',
      description: 'CRM sync',
      events: [...EVENT_TYPES],
      status: 'active',
      status_reason: null,
      status_changed_at: null,
      consecutive_failures: 0,
    });
    expect(created.id).toMatch(/^wh_[0-9a-z]{26}$/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(new Date(created.created_at).toISOString()).toBe(created.created_at);

    const row = await t.database.db
      .selectFrom('webhooks')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.secret_enc).not.toContain(created.secret.slice(6));
    expect(t.container.secretBox.open(row.secret_enc)).toBe(created.secret);

    const fetched = await api.get(`/webhooks/${created.id}`);
    expect(fetched.statusCode).toBe(200);
    expect(Object.keys(fetched.json()).sort()).toEqual([...WEBHOOK_KEYS].sort());
    expect(fetched.json()).not.toHaveProperty('secret');
  });

  it('de-duplicates event types and keeps catalog order', async () => {
    const created = await create({
      events: ['conversation.deleted', 'conversation.ready', 'conversation.deleted'],
    });
    expect(created.events).toEqual(['conversation.ready', 'conversation.deleted']);
  });

  it('normalises the URL (punycode host, default port dropped)', async () => {
    const created = await create({ url: 'HTTP://Exаmple.COM:80/a/../hook' });
    expect(created.url).toBe('http://xn--exmple-4nf.com/hook');
  });

  it('lists webhooks with 24 hours of activity', async () => {
    for (let i = 0; i < 3; i++) await create({ description: `listed ${i}` });
    const response = await api.get('/webhooks');
    expect(response.statusCode).toBe(200);
    const { data } = response.json();
    expect(data.length).toBeGreaterThanOrEqual(3);
    for (const item of data) {
      expect(Object.keys(item).sort()).toEqual([...WEBHOOK_KEYS, 'activity_24h'].sort());
      expect(item.activity_24h.buckets).toHaveLength(24);
      expect(item.activity_24h).toMatchObject({ succeeded: 0, failed: 0 });
    }
    const ids = data.map((d: { id: string }) => d.id);
    expect([...ids].sort()).toEqual(ids);
  });

  it('patches only the fields sent', async () => {
    const created = await create({ description: 'before' });
    const patched = await api.patch(`/webhooks/${created.id}`, { events: ['conversation.failed'] });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      description: 'before',
      url: created.url,
      events: ['conversation.failed'],
    });
    const again = await api.patch(`/webhooks/${created.id}`, {
      url: 'http://127.0.0.1:10/other',
      description: '',
    });
    expect(again.json()).toMatchObject({
      url: 'http://127.0.0.1:10/other',
      description: '',
      events: ['conversation.failed'],
    });
    expect(Date.parse(again.json().updated_at)).toBeGreaterThanOrEqual(Date.parse(created.updated_at));
    const empty = await api.patch(`/webhooks/${created.id}`, {});
    expect(empty.statusCode).toBe(200);
    expect(empty.json().url).toBe('http://127.0.0.1:10/other');
  });

  it('deletes a webhook with its deliveries; a second delete is 404', async () => {
    const created = await create();
    const eventId = await publishEvent(t, user.userId);
    await deliveryOf(t, eventId, created.id);
    const deleted = await api.del(`/webhooks/${created.id}`);
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    const rows = await t.database.db
      .selectFrom('deliveries')
      .select('id')
      .where('webhook_id', '=', created.id)
      .execute();
    expect(rows).toEqual([]);
    const again = await api.del(`/webhooks/${created.id}`);
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('webhook_not_found');
    expect((await api.get(`/webhooks/${created.id}`)).statusCode).toBe(404);
  });

  it('pauses (events become missed) and resumes without sending them by default', async () => {
    const created = await create();
    const paused = await api.post(`/webhooks/${created.id}/pause`);
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({ status: 'paused', status_reason: expect.any(String) });
    expect(paused.json().status_changed_at).not.toBeNull();
    expect((await api.post(`/webhooks/${created.id}/pause`)).json().status).toBe('paused');

    const eventId = await publishEvent(t, user.userId);
    expect((await deliveryOf(t, eventId, created.id)).status).toBe('missed');

    const resumed = await api.post(`/webhooks/${created.id}/resume`);
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json()).toMatchObject({ status: 'active', status_reason: null });
    expect((await deliveryOf(t, eventId, created.id)).status).toBe('missed');
  });

  it('resume with send_missed re-queues the missed deliveries', async () => {
    const created = await create();
    await api.post(`/webhooks/${created.id}/pause`);
    const first = await publishEvent(t, user.userId);
    const second = await publishEvent(t, user.userId, 'conversation.failed');
    const resumed = await api.post(`/webhooks/${created.id}/resume`, { send_missed: true });
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json().status).toBe('active');
    for (const eventId of [first, second]) {
      const delivery = await deliveryOf(t, eventId, created.id);
      expect(delivery.status).toBe('pending');
      expect(delivery.locked_until).toBeNull();
      expect(Number(delivery.next_attempt_at)).toBeLessThanOrEqual(Date.now());
    }
  });

  it('resuming an auto-paused webhook resets its failure count', async () => {
    const created = await create();
    await t.database.db
      .updateTable('webhooks')
      .set({
        status: 'auto_paused',
        status_reason: '25 consecutive failed attempts',
        status_changed_at: Date.now(),
        consecutive_failures: 25,
      })
      .where('id', '=', created.id)
      .execute();
    const shown = await api.get(`/webhooks/${created.id}`);
    expect(shown.json()).toMatchObject({ status: 'auto_paused', consecutive_failures: 25 });
    const resumed = await api.post(`/webhooks/${created.id}/resume`, {});
    expect(resumed.json()).toMatchObject({ status: 'active', consecutive_failures: 0, status_reason: null });
  });

  it('shows the secret and rotates it with a 24-hour overlap', async () => {
    const created = await create();
    const shown = await api.get(`/webhooks/${created.id}/secret`);
    expect(shown.statusCode).toBe(200);
    expect(shown.headers['cache-control']).toBe('no-store');
    expect(shown.json()).toEqual({ secret: created.secret, previous_secret_expires_at: null });

    const before = Date.now();
    const rotated = await api.post(`/webhooks/${created.id}/secret/rotate`);
    expect(rotated.statusCode).toBe(200);
    const { secret, previous_secret_expires_at } = rotated.json();
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(created.secret);
    const expires = Date.parse(previous_secret_expires_at);
    expect(expires).toBeGreaterThanOrEqual(before + 24 * 3_600_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 24 * 3_600_000);
    expect((await api.get(`/webhooks/${created.id}/secret`)).json()).toEqual(rotated.json());

    const row = await t.database.db
      .selectFrom('webhooks')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(t.container.secretBox.open(row.previous_secret_enc!)).toBe(created.secret);
    expect(t.container.secretBox.open(row.secret_enc)).toBe(secret);

    // Once the overlap is over the previous secret is no longer reported.
    await t.database.db
      .updateTable('webhooks')
      .set({ previous_secret_expires_at: Date.now() - 1 })
      .where('id', '=', created.id)
      .execute();
    expect((await api.get(`/webhooks/${created.id}/secret`)).json().previous_secret_expires_at).toBeNull();
  });

  it('shows disabled_plan to a downgraded owner and restores the status after an upgrade', async () => {
    const owner = await createUserWithToken(t, 'team');
    const ownerApi = apiAs(t, owner.headers);
    const active = (await ownerApi.post('/webhooks', { url: 'http://127.0.0.1:9/a' })).json();
    const paused = (await ownerApi.post('/webhooks', { url: 'http://127.0.0.1:9/b' })).json();
    await ownerApi.post(`/webhooks/${paused.id}/pause`);

    await setPlan(t, owner.userId, owner.email, 'free');
    const list = (await ownerApi.get('/webhooks')).json().data;
    expect(list.map((w: { status: string }) => w.status)).toEqual(['disabled_plan', 'disabled_plan']);
    expect((await ownerApi.get(`/webhooks/${active.id}`)).json().status).toBe('disabled_plan');
    // Nothing is fanned out to a free owner's webhooks.
    const eventId = await publishEvent(t, owner.userId);
    const rows = await t.database.db
      .selectFrom('deliveries')
      .select('id')
      .where('event_id', '=', eventId)
      .execute();
    expect(rows).toEqual([]);
    // Free users cannot create webhooks or send test events.
    const refused = await ownerApi.post('/webhooks', { url: 'http://127.0.0.1:9/c' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('plan_required');
    const test = await ownerApi.post(`/webhooks/${active.id}/test`, {});
    expect(test.statusCode).toBe(403);
    expect(test.json().error.code).toBe('plan_required');

    await setPlan(t, owner.userId, owner.email, 'pro');
    const restored = (await ownerApi.get('/webhooks')).json().data;
    expect(restored.map((w: { status: string }) => w.status)).toEqual(['active', 'paused']);
  });

  it('refuses the 51st webhook with 409 webhook_limit_reached', async () => {
    const owner = await createUserWithToken(t, 'pro');
    const ownerApi = apiAs(t, owner.headers);
    const limit = t.container.config.webhooksPerUser;
    expect(limit).toBe(50);
    await Promise.all(
      Array.from({ length: limit - 3 }, (_, i) =>
        ownerApi.post('/webhooks', { url: `http://127.0.0.1:9/${i}` }),
      ),
    );
    // Ten concurrent creates for the last three places: exactly three win.
    const racing = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        ownerApi.post('/webhooks', { url: `http://127.0.0.1:9/race${i}` }),
      ),
    );
    expect(racing.filter((r) => r.statusCode === 201)).toHaveLength(3);
    expect(racing.filter((r) => r.statusCode === 409)).toHaveLength(7);
    expect((await ownerApi.get('/webhooks?limit=100')).json().data).toHaveLength(limit);
    const over = await ownerApi.post('/webhooks', { url: 'http://127.0.0.1:9/over' });
    expect(over.statusCode).toBe(409);
    expect(over.json().error.code).toBe('webhook_limit_reached');
    expect((await ownerApi.get('/webhooks?limit=100')).json().data).toHaveLength(limit);
    const first = (await ownerApi.get('/webhooks')).json().data[0];
    expect((await ownerApi.del(`/webhooks/${first.id}`)).statusCode).toBe(204);
    expect((await ownerApi.post('/webhooks', { url: 'http://127.0.0.1:9/again' })).statusCode).toBe(201);
  });

  it('works for the web UI with the session cookie, and requires x-csrf-token on writes', async () => {
    const session = await signIn(t, user.email, user.password);
    const browser = apiAs(t, sessionHeaders(session));
    const created = await browser.post('/webhooks', { url: 'http://127.0.0.1:9/ui' });
    expect(created.statusCode).toBe(201);
    expect((await browser.get(`/webhooks/${created.json().id}`)).statusCode).toBe(200);
    const forged = apiAs(t, sessionHeaders(session, { csrf: false }));
    expect((await forged.get(`/webhooks/${created.json().id}`)).statusCode).toBe(200);
    for (const [method, path] of [
      ['POST', '/webhooks'],
      ['PATCH', `/webhooks/${created.json().id}`],
      ['DELETE', `/webhooks/${created.json().id}`],
      ['POST', `/webhooks/${created.json().id}/pause`],
      ['POST', `/webhooks/${created.json().id}/secret/rotate`],
    ] as const) {
      const response = await forged.call(method, path, method === 'DELETE' ? undefined : {});
      expect(response.statusCode, `${method} ${path}`).toBe(403);
      expect(response.json().error.code).toBe('csrf_required');
    }
    expect((await browser.get(`/webhooks/${created.json().id}`)).json().status).toBe('active');
  });

  it('requires authentication on every webhook route', async () => {
    const anonymous = apiAs(t, {});
    const response = await anonymous.get('/webhooks');
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('unauthorized');
    expect((await anonymous.post('/webhooks', { url: 'http://127.0.0.1:9/x' })).statusCode).toBe(401);
  });
});
