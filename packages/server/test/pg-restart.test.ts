// PostgreSQL restarted in the middle of a load, on a cluster of the test's own: while it is down the
// host API answers 503 and no process exits; once it is back everything recovers by itself within
// 10 s, and every accepted event reaches the webhook.

import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServer } from './support/cli-process.ts';
import { createPgCluster, type PgCluster, postgresBinDir } from './support/pg-cluster.ts';

const binDir = postgresBinDir();
const INGEST = 'pg-restart-ingest-token-0123456789';
const until = async <T>(check: () => Promise<T | undefined | false>, timeoutMs: number, what: string) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not before the deadline`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe.skipIf(!binDir)(
  `PostgreSQL restarted mid-load${binDir ? '' : ' (skipped: no PostgreSQL server binaries under /usr/lib/postgresql)'}`,
  () => {
    let cluster: PgCluster;
    let server: ServerProcess;
    let receiver: Server;
    let base: string;
    const received = new Set<string>();

    beforeAll(async () => {
      cluster = await createPgCluster(binDir!);
      receiver = createServer((req, res) => {
        received.add(String(req.headers['webhook-id']));
        req.resume();
        req.on('end', () => res.writeHead(204).end());
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      server = startServer(
        ['serve'],
        {
          KLANG_DATABASE_URL: cluster.url,
          KLANG_SECRET_KEY: 'ab'.repeat(32),
          KLANG_INGEST_TOKEN: INGEST,
          KLANG_PORT: '0',
          KLANG_ALLOW_PRIVATE_TARGETS: 'true',
          KLANG_RETRY_SCHEDULE: '200ms,500ms,1s,1s,2s,2s',
          KLANG_DATA_DIR: mkdtempSync(join(tmpdir(), 'klang-pg-restart-')),
        },
        process.cwd(),
      );
      base = (await server.waitForOutput(/running at (http:\/\/\S+)/))[1]!;
    }, 90_000);

    afterAll(async () => {
      server?.child.kill('SIGKILL');
      receiver?.close();
      cluster?.destroy();
    });

    const host = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}/internal/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      });

    it('answers 503 while down, recovers within 10 s and loses nothing', { timeout: 120_000 }, async () => {
      // A Pro user with a webhook to the receiver, and a conversation of theirs.
      expect(
        (
          await host('PUT', '/users/usr_pg', {
            email: 'pg@example.com',
            plan: 'pro',
            password: 'pw-pg-restart',
          })
        ).status,
      ).toBe(200);
      expect(
        (await host('PUT', '/conversations/conv_pg', { owner_id: 'usr_pg', title: 'Restart' })).status,
      ).toBe(200);
      const session = await fetch(`${base}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'pg@example.com', password: 'pw-pg-restart' }),
      });
      const { csrf_token } = (await session.json()) as { csrf_token: string };
      const cookie = session.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const { port } = receiver.address() as AddressInfo;
      const created = await fetch(`${base}/api/v1/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf_token },
        body: JSON.stringify({ url: `http://127.0.0.1:${port}/hook` }),
      });
      expect(created.status).toBe(201);

      // Publishes one event as a host would: the same idempotency key until it is accepted.
      const accepted = new Set<string>();
      const statuses: number[] = [];
      const publishOnce = async (key: string) => {
        const answer = await host(
          'POST',
          '/events',
          { type: 'conversation.ready', conversation_id: 'conv_pg' },
          { 'idempotency-key': key },
        ).catch(() => undefined);
        statuses.push(answer?.status ?? 0);
        if (answer?.status === 202) accepted.add(((await answer.json()) as { id: string }).id);
        return answer?.status;
      };

      for (let i = 0; i < 100; i++) expect(await publishOnce(`before-${i}`)).toBe(202);

      cluster.stop();
      const down = await until(
        async () => (await publishOnce('during-0')) === 503,
        10_000,
        '503 while down',
      ).catch((error) => {
        throw new Error(
          `${error.message}; answers ${statuses.slice(100).join(',')}; output:\n${server.output().slice(-2000)}`,
        );
      });
      expect(down).toBe(true);
      // The user API says the same, in the error shape.
      const list = await fetch(`${base}/api/v1/webhooks`, { headers: { cookie } });
      expect(list.status).toBe(503);
      expect(list.headers.get('retry-after')).toBe('5');
      expect(((await list.json()) as { error: { code: string } }).error.code).toBe('service_unavailable');
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      expect(server.child.exitCode).toBeNull();

      cluster.start();
      const back = Date.now();
      await until(async () => (await publishOnce('during-0')) === 202, 10_000, 'intake back within 10 s');
      expect(Date.now() - back).toBeLessThan(10_000);
      for (let i = 0; i < 100; i++) expect(await publishOnce(`after-${i}`)).toBe(202);

      // Every accepted event reaches the webhook; nothing 5xx but 503, and the process never exited.
      await until(
        async () => [...accepted].every((id) => received.has(id)),
        30_000,
        'every event delivered',
      ).catch((error) => {
        const missing = [...accepted].filter((id) => !received.has(id));
        throw new Error(
          `${error.message}: ${missing.length} of ${accepted.size} missing; output:\n${server.output().slice(-3000)}`,
        );
      });
      expect(accepted.size).toBe(201);
      expect(statuses.filter((s) => s >= 500 && s !== 503)).toEqual([]);
      expect(server.child.exitCode).toBeNull();
    });
  },
);
