// Headers every answer carries: X-Content-Type-Options: nosniff always (errors, probes, docs and
// framework answers too), Cache-Control: no-store on every answer that holds a secret or a token.
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUserWithToken, type TestUser } from '../support/users.ts';
import { apiAs, createWebhook, deliveryOf, insertAttempt, publishEvent } from '../support/webhook-api.ts';

describeEachDatabase('response headers on %s', (kind) => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await createTestApp(kind);
    user = await createUserWithToken(t);
  });
  afterAll(() => t?.dispose());

  it('sends nosniff on every kind of answer', async () => {
    const requests: [string, InjectOptions][] = [
      ['200 JSON', { url: '/api/v1/me', headers: user.headers }],
      ['401', { url: '/api/v1/me' }],
      ['404 route', { url: '/nothing/here' }],
      ['405', { method: 'DELETE', url: '/healthz' }],
      ['404 overlong id', { url: `/api/v1/webhooks/${'x'.repeat(300)}`, headers: user.headers }],
      [
        '415',
        {
          method: 'POST',
          url: '/api/v1/tokens',
          headers: { ...user.headers, 'content-type': 'text/plain' },
          payload: 'x',
        },
      ],
      [
        '400 JSON',
        {
          method: 'POST',
          url: '/api/v1/tokens',
          headers: { ...user.headers, 'content-type': 'application/json' },
          payload: '{',
        },
      ],
      ['422', { method: 'POST', url: '/api/v1/tokens', headers: user.headers, payload: {} }],
      ['host 401', { method: 'POST', url: '/internal/v1/events', payload: {} }],
      ['400 bad URL', { url: '/api/v1/webhooks/%E0%A4%A', headers: user.headers }],
      ['healthz', { url: '/healthz' }],
      ['readyz', { url: '/readyz' }],
      ['metrics', { url: '/metrics' }],
      ['openapi', { url: '/api/openapi.json' }],
      ['docs', { url: '/docs' }],
      ['redirect', { url: '/' }],
    ];
    for (const [name, request] of requests) {
      const response = await t.app.inject(request);
      expect(response.headers['x-content-type-options'], `${name} → ${response.statusCode}`).toBe('nosniff');
      if (name === '400 bad URL') expect(response.json().error.code).toBe('bad_request');
    }
  });

  it('sends Cache-Control: no-store with every secret and token, and not on other answers', async () => {
    const api = apiAs(t, user.headers);
    const created = await api.post('/webhooks', { url: 'http://127.0.0.1:9/hook' });
    const eventId = await publishEvent(t, user.userId);
    const delivery = await deliveryOf(t, eventId, created.json().id);
    const attemptId = await insertAttempt(t, created.json().id, { deliveryId: delivery.id, eventId });
    const id = created.json().id;
    const carriers = {
      'create webhook': created,
      'create token': await api.post('/tokens', { name: 'ci' }),
      session: await t.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { email: user.email, password: user.password },
      }),
      'show secret': await api.get(`/webhooks/${id}/secret`),
      'rotate secret': await api.post(`/webhooks/${id}/secret/rotate`),
      'attempt detail': await api.get(`/webhooks/${id}/attempts/${attemptId}`),
    };
    for (const [name, response] of Object.entries(carriers)) {
      expect(response.statusCode, `${name}: ${response.body}`).toBeLessThan(300);
      expect(response.headers['cache-control'], name).toBe('no-store');
    }
    const other = await createWebhook(api);
    for (const path of ['/webhooks', `/webhooks/${other.id}`, '/me', '/tokens']) {
      expect((await api.get(path)).headers['cache-control'], path).toBeUndefined();
    }
  });
});
