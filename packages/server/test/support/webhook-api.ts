// Short calls to the user API for webhook tests: one caller's headers bound to inject(), plus rows the
// engine would write (attempts, hourly rollups) inserted directly.
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { newId } from '../../src/domain/ids.ts';
import type { TestApp } from './app.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT';

/** The fields of a webhook as CONTRACT.md names them. */
export const WEBHOOK_KEYS = [
  'id',
  'url',
  'description',
  'events',
  'status',
  'status_reason',
  'status_changed_at',
  'consecutive_failures',
  'auto_pause_after',
  'created_at',
  'updated_at',
];

export interface ApiCaller {
  call(method: Method, path: string, payload?: unknown): Promise<LightMyRequestResponse>;
  get(path: string): Promise<LightMyRequestResponse>;
  post(path: string, payload?: unknown): Promise<LightMyRequestResponse>;
  patch(path: string, payload: unknown): Promise<LightMyRequestResponse>;
  del(path: string): Promise<LightMyRequestResponse>;
}

/** Calls `/api/v1<path>` with the given headers; objects are sent as JSON. */
export function apiAs(t: TestApp, headers: Record<string, string>): ApiCaller {
  const call = (method: Method, path: string, payload?: unknown) =>
    t.app.inject({
      method,
      url: `/api/v1${path}`,
      headers,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  return {
    call,
    get: (path) => call('GET', path),
    post: (path, payload) => call('POST', path, payload),
    patch: (path, payload) => call('PATCH', path, payload),
    del: (path) => call('DELETE', path),
  };
}

/** Sets a user's plan through the host API, as the Klang product would. */
export async function setPlan(t: TestApp, userId: string, email: string, plan: 'free' | 'pro' | 'team') {
  const response = await t.app.inject({
    method: 'PUT',
    url: `/internal/v1/users/${userId}`,
    headers: t.hostAuth,
    payload: { email, plan },
  });
  if (response.statusCode !== 200) throw new Error(`set plan failed: ${response.body}`);
}

export interface AttemptFixture {
  deliveryId: string;
  eventId: string;
  eventType?: string;
  attempt?: number;
  outcome?: 'succeeded' | 'failed';
  responseStatus?: number | null;
  createdAt?: number;
  test?: boolean;
}

/** Inserts an attempt row as the engine records it. */
export async function insertAttempt(t: TestApp, webhookId: string, fixture: AttemptFixture): Promise<string> {
  const id = newId.attempt();
  const outcome = fixture.outcome ?? 'succeeded';
  await t.database.db
    .insertInto('attempts')
    .values({
      id,
      delivery_id: fixture.deliveryId,
      webhook_id: webhookId,
      event_id: fixture.eventId,
      event_type: fixture.eventType ?? 'conversation.ready',
      attempt: fixture.attempt ?? 1,
      test: fixture.test ? 1 : 0,
      outcome,
      error: outcome === 'failed' ? 'http_status' : null,
      error_message: outcome === 'failed' ? 'The endpoint answered 500.' : null,
      response_status:
        fixture.responseStatus === undefined ? (outcome === 'failed' ? 500 : 200) : fixture.responseStatus,
      duration_ms: 42,
      request_headers: JSON.stringify({ 'webhook-id': fixture.eventId, 'content-type': 'application/json' }),
      response_headers: JSON.stringify({ 'content-type': 'text/plain' }),
      response_body: outcome === 'failed' ? 'boom' : 'ok',
      response_truncated: 0,
      next_retry_at: outcome === 'failed' ? Date.now() + 60_000 : null,
      created_at: fixture.createdAt ?? Date.now(),
    })
    .execute();
  return id;
}

/** Declares a conversation owned by `ownerId` and publishes an event on it through the host API. */
export async function publishEvent(
  t: TestApp,
  ownerId: string,
  type: 'conversation.ready' | 'conversation.failed' | 'conversation.deleted' = 'conversation.ready',
): Promise<string> {
  const conversationId = `conv_${newId.event().slice(4)}`;
  const put = await t.app.inject({
    method: 'PUT',
    url: `/internal/v1/conversations/${conversationId}`,
    headers: t.hostAuth,
    payload: { owner_id: ownerId, title: 'Weekly sync' },
  });
  if (put.statusCode !== 200) throw new Error(`conversation failed: ${put.body}`);
  const published = await t.app.inject({
    method: 'POST',
    url: '/internal/v1/events',
    headers: t.hostAuth,
    payload: { type, conversation_id: conversationId },
  });
  if (published.statusCode !== 202) throw new Error(`publish failed: ${published.body}`);
  return published.json().id;
}

/** The delivery row of an event for a webhook. */
export async function deliveryOf(t: TestApp, eventId: string, webhookId: string) {
  return t.database.db
    .selectFrom('deliveries')
    .selectAll()
    .where('event_id', '=', eventId)
    .where('webhook_id', '=', webhookId)
    .executeTakeFirstOrThrow();
}

/** Creates a webhook on a loopback URL (tests allow private targets) and returns its id and secret. */
export async function createWebhook(
  api: ApiCaller,
  events?: string[],
): Promise<{ id: string; secret: string }> {
  const response = await api.post('/webhooks', {
    url: 'http://127.0.0.1:9/hook',
    ...(events ? { events } : {}),
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; secret: string };
}
