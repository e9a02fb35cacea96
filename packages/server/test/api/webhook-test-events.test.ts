import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { createUserWithToken } from '../support/users.ts';
import { type ApiCaller, apiAs, createWebhook as createWebhookAs } from '../support/webhook-api.ts';

describeEachDatabase('test events on %s', (kind) => {
  let t: TestApp;
  let api: ApiCaller;
  beforeAll(async () => {
    t = await createTestApp(kind);
    const user = await createUserWithToken(t, 'pro');
    api = apiAs(t, user.headers);
  });
  afterAll(() => t.dispose());

  const createWebhook = (events?: string[]) => createWebhookAs(api, events);

  describe('POST /webhooks/{id}/test', () => {
    it('queues an evt_test_ event of the payload schema for this webhook only', async () => {
      const webhook = await createWebhook();
      const other = await createWebhook();
      const response = await api.post(`/webhooks/${webhook.id}/test`, { type: 'conversation.failed' });
      expect(response.statusCode).toBe(202);
      const { event_id } = response.json();
      expect(event_id).toMatch(/^evt_test_[0-9a-z]{26}$/);

      const event = await t.container.repos.events.get(event_id);
      expect(event).toMatchObject({ type: 'conversation.failed', test: 1 });
      const payload = JSON.parse(event!.payload);
      expect(payload).toEqual({
        id: event_id,
        type: 'conversation.failed',
        created_at: expect.any(String),
        data: {
          conversation: {
            id: 'conv_sample',
            title: expect.any(String),
            url: expect.stringMatching(/^https:\/\//),
          },
          error: { code: expect.any(String), message: expect.any(String) },
        },
      });
      const deliveries = await t.database.db
        .selectFrom('deliveries')
        .selectAll()
        .where('event_id', '=', event_id)
        .execute();
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject({ webhook_id: webhook.id, status: 'pending', test: 1 });
      expect(deliveries.some((d) => d.webhook_id === other.id)).toBe(false);
    });

    it('uses the only subscribed type when type is left out, body or not', async () => {
      const webhook = await createWebhook(['conversation.deleted']);
      for (const body of [undefined, {}]) {
        const response = await api.post(`/webhooks/${webhook.id}/test`, body);
        expect(response.statusCode, response.body).toBe(202);
        const event = await t.container.repos.events.get(response.json().event_id);
        expect(event?.type).toBe('conversation.deleted');
      }
    });

    it('refuses a test event for a paused or auto-paused webhook with 409 webhook_paused', async () => {
      const webhook = await createWebhook(['conversation.ready']);
      await api.post(`/webhooks/${webhook.id}/pause`);
      const paused = await api.post(`/webhooks/${webhook.id}/test`, {});
      expect(paused.statusCode).toBe(409);
      expect(paused.json().error.code).toBe('webhook_paused');
      await t.database.db
        .updateTable('webhooks')
        .set({ status: 'auto_paused' })
        .where('id', '=', webhook.id)
        .execute();
      expect((await api.post(`/webhooks/${webhook.id}/test`, {})).json().error.code).toBe('webhook_paused');
      await api.post(`/webhooks/${webhook.id}/resume`);
      expect((await api.post(`/webhooks/${webhook.id}/test`, {})).statusCode).toBe(202);
    });

    it('requires type when the webhook subscribes to several, and only one of its types', async () => {
      const webhook = await createWebhook(['conversation.ready', 'conversation.deleted']);
      const missing = await api.post(`/webhooks/${webhook.id}/test`, {});
      expect(missing.statusCode).toBe(422);
      expect(missing.json().error).toMatchObject({
        code: 'validation_failed',
        details: [
          { field: 'type', message: expect.stringContaining('conversation.ready, conversation.deleted') },
        ],
      });
      const notSubscribed = await api.post(`/webhooks/${webhook.id}/test`, { type: 'conversation.failed' });
      expect(notSubscribed.statusCode).toBe(422);
      expect(notSubscribed.json().error.details[0].field).toBe('type');
      const unknown = await api.post(`/webhooks/${webhook.id}/test`, { type: 'conversation.nope' });
      expect(unknown.statusCode).toBe(422);
      expect(unknown.json().error.details[0].field).toBe('type');
      const extra = await api.post(`/webhooks/${webhook.id}/test`, { type: 'conversation.ready', x: 1 });
      expect(extra.statusCode).toBe(422);
    });

    it('allows 5 test events per webhook a minute, then 429 rate_limited with Retry-After', async () => {
      const webhook = await createWebhook(['conversation.ready']);
      const other = await createWebhook(['conversation.ready']);
      for (let i = 0; i < 5; i++) {
        expect((await api.post(`/webhooks/${webhook.id}/test`, {})).statusCode).toBe(202);
      }
      const refused = await api.post(`/webhooks/${webhook.id}/test`, {});
      expect(refused.statusCode).toBe(429);
      expect(refused.json().error.code).toBe('rate_limited');
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      const queued = await t.database.db
        .selectFrom('deliveries')
        .select('id')
        .where('webhook_id', '=', webhook.id)
        .execute();
      expect(queued).toHaveLength(5);
      // The allowance is per webhook: another webhook of the same owner is not held back.
      expect((await api.post(`/webhooks/${other.id}/test`, {})).statusCode).toBe(202);
    });
  });
});
