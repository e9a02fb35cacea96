import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEngine } from '../src/engine/index.ts';
import { createTestApp, type TestApp } from './support/app.ts';
import { describeEachDatabase } from './support/databases.ts';
import { insertConversation, insertUser, insertWebhook } from './support/fixtures.ts';

describeEachDatabase('health and metrics on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(kind, { KLANG_METRICS_TOKEN: 'metrics-secret' });
  });
  afterAll(() => t.dispose());

  it('answers /healthz, and /readyz only once the worker of this process beats', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    // Another process's worker beating just now does not make this process ready.
    const now = Date.now();
    await t.database.db
      .insertInto('workers')
      .values({ id: 'wrk_other_process', role: 'worker', started_at: now, heartbeat_at: now })
      .execute();
    const before = await t.app.inject('/readyz');
    expect(before.statusCode).toBe(503);
    expect(before.json()).toMatchObject({
      status: 'not_ready',
      checks: { database: true, migrations: true, worker: false },
    });
    // main.ts starts the worker with the container's id, as here.
    const engine = await startEngine(t.container, { workerId: t.container.workerId });
    try {
      const ready = await t.app.inject('/readyz');
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({
        status: 'ready',
        checks: { worker: true },
        worker_heartbeat_age_ms: expect.any(Number),
      });
    } finally {
      await engine.stop();
    }
  });

  it('serves the API reference at /docs', async () => {
    expect((await t.app.inject('/docs')).statusCode).toBe(200);
  });

  it('requires the metrics token when one is configured', async () => {
    const anonymous = await t.app.inject('/metrics');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('unauthorized');
    const wrong = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
  });

  it('exposes events published and the queue depth in the Prometheus format', async () => {
    const owner = await insertUser(t.database.db, 'pro');
    const conversation = await insertConversation(t.database.db, owner);
    await insertWebhook(t.database.db, t.container.secretBox, owner);
    const published = await t.app.inject({
      method: 'POST',
      url: '/internal/v1/events',
      headers: t.hostAuth,
      payload: { type: 'conversation.ready', conversation_id: conversation },
    });
    expect(published.statusCode).toBe(202);
    const metrics = await t.app.inject({
      url: '/metrics',
      headers: { authorization: 'Bearer metrics-secret' },
    });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('klang_events_published_total{type="conversation.ready"} 1');
    expect(metrics.body).toMatch(/klang_queue_deliveries\{state="due"\} 1\b/);
    expect(metrics.body).toContain('klang_process_cpu_seconds_total');
  });
});
