// Every role observable, with real processes on PostgreSQL: a worker serves /healthz, /readyz and
// /metrics on KLANG_METRICS_PORT and counts the attempts it makes; an api process's /readyz is 503
// (no_live_worker) while deliveries are due and no worker beats, and 200 once a worker runs; a real
// Prometheus with the shipped rules raises KlangNoWorkers for a dead worker pool and clears it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretBox } from '../src/domain/secrets.ts';
import { answer, createReceiver, type Receiver, waitFor } from './engine/support/receiver.ts';
import { type ServerProcess, startServer } from './support/cli-process.ts';
import { openTestDatabase, type TestDatabase } from './support/databases.ts';
import { insertConversation, insertUser, insertWebhook } from './support/fixtures.ts';
import { freePort } from './support/free-port.ts';
import { hasPrometheus, startPrometheus } from './support/prometheus.ts';

const INGEST = 'observability-ingest-token-0123';
const skip = !process.env.TEST_DATABASE_URL;

describe.skipIf(skip)(
  skip
    ? 'observable processes on postgres (skipped: set TEST_DATABASE_URL)'
    : 'observable processes on postgres',
  () => {
    const cleanups: (() => Promise<unknown>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function setup() {
      const database: TestDatabase = await openTestDatabase('postgres');
      cleanups.push(() => database.dispose());
      const key = randomBytes(32);
      const receiver: Receiver = await createReceiver();
      receiver.respond(answer(200));
      cleanups.push(() => receiver.close());
      const owner = await insertUser(database.db, 'pro');
      const conversation = await insertConversation(database.db, owner);
      await insertWebhook(database.db, createSecretBox(key), owner, { url: `${receiver.url}/hook` });
      const cwd = mkdtempSync(join(tmpdir(), 'klang-observe-'));
      cleanups.push(async () => rmSync(cwd, { recursive: true, force: true }));
      const env = {
        KLANG_DATABASE_URL: database.url,
        KLANG_SECRET_KEY: key.toString('hex'),
        KLANG_INGEST_TOKEN: INGEST,
        KLANG_ALLOW_PRIVATE_TARGETS: 'true',
        KLANG_PORT: '0',
      };
      const start = (role: string, extra: Record<string, string> = {}): ServerProcess => {
        const server = startServer(['serve', '--role', role], { ...env, ...extra }, cwd);
        cleanups.push(async () => {
          if (server.child.exitCode === null) server.child.kill('SIGKILL');
          await server.exited;
        });
        return server;
      };
      return { database, receiver, conversation, start };
    }

    const publish = (url: string, conversation: string) =>
      fetch(`${url}/internal/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'conversation.ready', conversation_id: conversation }),
      });

    it('a worker serves health, readiness and its own attempt counts on the metrics port', async () => {
      const { receiver, conversation, start } = await setup();
      const api = start('api');
      const [, apiUrl] = await api.waitForOutput(/running at (http:\/\/\S+)/);
      const worker = start('worker', { KLANG_METRICS_PORT: '0' });
      const [, ops] = await worker.waitForOutput(/Health and metrics at (http:\/\/\S+)/);
      expect(await (await fetch(`${ops}/healthz`)).json()).toEqual({ status: 'ok' });
      const ready = await waitFor(async () => {
        const response = await fetch(`${ops}/readyz`);
        return response.status === 200 && response.json();
      });
      expect(ready).toMatchObject({ status: 'ready', checks: { worker: true } });

      expect((await publish(apiUrl!, conversation)).status).toBe(202);
      await waitFor(() => receiver.requests.length === 1, 15_000, 'the delivery');
      const metrics = await waitFor(async () => {
        const text = await (await fetch(`${ops}/metrics`)).text();
        return /klang_delivery_attempts_total\{[^}]*outcome="succeeded"[^}]*\} 1\b/.test(text) && text;
      });
      expect(metrics).toMatch(
        /klang_deliveries_finished_total\{status="succeeded",event_type="conversation.ready"\} 1\b/,
      );
      expect(metrics).toContain('klang_process_cpu_seconds_total');
      // The api process accepted the event but made no attempt: its counters say so.
      const apiMetrics = await (await fetch(`${apiUrl}/metrics`)).text();
      expect(apiMetrics).toContain('klang_events_published_total{type="conversation.ready"} 1');
      expect(apiMetrics).not.toMatch(/klang_delivery_attempts_total\{/);
      expect(apiMetrics).toMatch(
        /klang_http_requests_total\{method="POST",route="\/internal\/v1\/events",status="202"\} 1/,
      );

      worker.child.kill('SIGTERM');
      api.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      expect(await api.exited).toBe(0);
    });

    it('an api process is not ready while deliveries are due and no worker beats, and ready once one does', async () => {
      const { receiver, conversation, start } = await setup();
      const api = start('api', { KLANG_METRICS_PORT: '0' });
      const [, apiUrl] = await api.waitForOutput(/running at (http:\/\/\S+)/);
      const [, ops] = await api.waitForOutput(/Health and metrics at (http:\/\/\S+)/);
      // Nothing due yet: ready without any worker.
      expect((await fetch(`${apiUrl}/readyz`)).status).toBe(200);
      expect((await publish(apiUrl!, conversation)).status).toBe(202);

      for (const base of [apiUrl, ops]) {
        const unready = await fetch(`${base}/readyz`);
        expect(unready.status).toBe(503);
        expect(await unready.json()).toMatchObject({
          status: 'not_ready',
          reason: 'no_live_worker',
          checks: { database: true, migrations: true, workers: false },
          deliveries_due: true,
        });
      }
      const metrics = await (await fetch(`${ops}/metrics`)).text();
      expect(metrics).toMatch(/klang_queue_deliveries\{state="due"\} 1\b/);
      expect(metrics).toMatch(/klang_webhooks\{status="active"\} 1\b/);
      expect(metrics).toMatch(/^klang_workers_live 0$/m);

      const worker = start('worker');
      await waitFor(async () => (await fetch(`${apiUrl}/readyz`)).status === 200, 15_000, 'readiness');
      await waitFor(() => receiver.requests.length === 1, 15_000, 'the delivery');
      expect(await (await fetch(`${ops}/metrics`)).text()).toMatch(/^klang_workers_live 1$/m);
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
      // A worker that stopped removed its heartbeat: the pool is counted empty at once.
      expect(await (await fetch(`${ops}/metrics`)).text()).toMatch(/^klang_workers_live 0$/m);
      api.child.kill('SIGTERM');
      expect(await api.exited).toBe(0);
    });

    it.skipIf(!hasPrometheus())(
      hasPrometheus()
        ? 'Prometheus with the shipped alerts: a dead worker pool raises KlangNoWorkers, a returning worker clears it'
        : 'Prometheus alerts (skipped: prometheus is not installed)',
      async () => {
        const { receiver, conversation, start } = await setup();
        const api = start('api');
        const [, apiUrl] = await api.waitForOutput(/running at (http:\/\/\S+)/);
        const ports = [await freePort(), await freePort()];
        const startWorker = async (port: number) => {
          const worker = start('worker', { KLANG_METRICS_PORT: String(port) });
          await worker.waitForOutput(/Health and metrics at/);
          return worker;
        };
        const [killed, stopped] = (await Promise.all(ports.map(startWorker))) as [
          ServerProcess,
          ServerProcess,
        ];
        const prometheus = await startPrometheus({
          api: [new URL(apiUrl!).host],
          worker: ports.map((port) => `127.0.0.1:${port}`),
        });
        cleanups.push(() => prometheus.close());
        const value = async (expr: string) => (await prometheus.query(expr))[0]?.value;
        const noWorkersAlert = async () =>
          (await prometheus.alerts()).find((alert) => alert.labels.alertname === 'KlangNoWorkers');

        await waitFor(async () => (await value('sum(up)')) === 3, 20_000, 'three targets up');
        await waitFor(async () => (await value('max(klang_workers_live)')) === 2, 20_000, 'two live workers');
        expect((await publish(apiUrl!, conversation)).status).toBe(202);
        await waitFor(() => receiver.requests.length === 1, 15_000, 'the first delivery');
        expect(await noWorkersAlert()).toBeUndefined();

        // The pool dies (one worker killed, one stopped) while an event is due: the alert goes pending
        // at once and pages after its `for` (2 minutes; the firing is covered by alerts.test.yml).
        killed.child.kill('SIGKILL');
        stopped.child.kill('SIGTERM');
        expect(await stopped.exited).toBe(0);
        await killed.exited;
        expect((await publish(apiUrl!, conversation)).status).toBe(202);
        const alert = await waitFor(noWorkersAlert, 20_000, 'KlangNoWorkers');
        expect(alert).toMatchObject({ state: 'pending', labels: { severity: 'page' } });
        expect(receiver.requests).toHaveLength(1);

        // A worker comes back on its port (as systemd or the orchestrator restarts it): it delivers
        // the due event and the alert clears.
        const returned = await startWorker(ports[1]!);
        await waitFor(() => receiver.requests.length === 2, 15_000, 'the due delivery');
        await waitFor(async () => (await noWorkersAlert()) === undefined, 20_000, 'KlangNoWorkers cleared');
        returned.child.kill('SIGTERM');
        expect(await returned.exited).toBe(0);
        api.child.kill('SIGTERM');
        expect(await api.exited).toBe(0);
      },
      90_000,
    );
  },
);
