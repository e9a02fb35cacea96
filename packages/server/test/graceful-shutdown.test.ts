// SIGTERM drains every role and exits 0, with real processes: a worker lets the attempts in flight
// finish and records them, or — past KLANG_SHUTDOWN_TIMEOUT — hands them back untouched for the next
// worker; an api process answers the requests it accepted and stores every event it answered 202.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createSecretBox } from '../src/domain/secrets.ts';
import { createReceiver, type Receiver, waitFor } from './engine/support/receiver.ts';
import { type ServerProcess, startServer } from './support/cli-process.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from './support/databases.ts';
import { insertConversation, insertUser, insertWebhook } from './support/fixtures.ts';

const INGEST = 'graceful-shutdown-ingest-token-01';

describeEachDatabase('graceful shutdown (%s)', (kind) => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A receiver that holds every request until the test lets them all through. */
  async function heldReceiver() {
    const receiver: Receiver = await createReceiver();
    const held: ServerResponse[] = [];
    let holding = true;
    receiver.respond((_request, res) => {
      if (holding) held.push(res);
      else res.writeHead(200).end();
    });
    cleanups.push(async () => {
      for (const res of held.splice(0)) res.destroy();
      await receiver.close();
    });
    return {
      receiver,
      held,
      release() {
        holding = false;
        for (const res of held.splice(0)) res.writeHead(200).end();
      },
    };
  }

  async function setup(url: string) {
    const database: TestDatabase = await openTestDatabase(kind);
    cleanups.push(() => database.dispose());
    const key = randomBytes(32);
    const owner = await insertUser(database.db, 'pro');
    const conversation = await insertConversation(database.db, owner);
    const webhook = await insertWebhook(database.db, createSecretBox(key), owner, { url: `${url}/hook` });
    const cwd = mkdtempSync(join(tmpdir(), 'klang-shutdown-'));
    cleanups.push(async () => rmSync(cwd, { recursive: true, force: true }));
    const env = {
      KLANG_DATABASE_URL: database.url,
      KLANG_SECRET_KEY: key.toString('hex'),
      KLANG_INGEST_TOKEN: INGEST,
      KLANG_ALLOW_PRIVATE_TARGETS: 'true',
      KLANG_PORT: '0',
      KLANG_DEMO: 'false',
    };
    const start = async (role: 'all' | 'api' | 'worker', extra: Record<string, string> = {}) => {
      const server: ServerProcess = startServer(['serve', '--role', role], { ...env, ...extra }, cwd);
      cleanups.push(async () => {
        if (server.child.exitCode === null) server.child.kill('SIGKILL');
        await server.exited;
      });
      const [, url] = await server.waitForOutput(
        role === 'worker' ? /worker started()/ : /running at (http:\/\/\S+)/,
      );
      return { server, url: url ?? '' };
    };
    const deliveries = () =>
      database.db
        .selectFrom('deliveries')
        .select(['event_id', 'status', 'attempts', 'locked_by'])
        .where('webhook_id', '=', webhook.id)
        .execute()
        .then((rows) => rows.map((row) => ({ ...row, attempts: Number(row.attempts) })));
    const publish = async (apiUrl: string) => {
      const response = await fetch(`${apiUrl}/internal/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'conversation.ready', conversation_id: conversation }),
      });
      expect(response.status).toBe(202);
      return ((await response.json()) as { id: string }).id;
    };
    return { database, start, deliveries, publish };
  }

  /** The process that delivers (the single process on SQLite, a worker on PostgreSQL) and where to publish. */
  async function deliveringProcess(
    start: Awaited<ReturnType<typeof setup>>['start'],
    extra: Record<string, string> = {},
  ) {
    if (kind === 'sqlite') {
      const all = await start('all', extra);
      return { worker: all.server, apiUrl: all.url, api: undefined };
    }
    const api = await start('api');
    const worker = await start('worker', extra);
    return { worker: worker.server, apiUrl: api.url, api: api.server };
  }

  it('lets the attempts in flight finish, records them, and exits 0', async () => {
    const target = await heldReceiver();
    const { start, deliveries, publish } = await setup(target.receiver.url);
    const { worker, apiUrl, api } = await deliveringProcess(start, { KLANG_SHUTDOWN_TIMEOUT: '20s' });
    const events = [await publish(apiUrl), await publish(apiUrl), await publish(apiUrl)];
    await waitFor(() => target.held.length === 3, 15_000, 'three attempts in flight');

    worker.child.kill('SIGTERM');
    await worker.waitForOutput(/SIGTERM received, draining/);
    target.release();
    expect(await worker.exited).toBe(0);
    const rows = await deliveries();
    expect(rows.map((row) => row.event_id).sort()).toEqual([...events].sort());
    expect(
      rows.every((row) => row.status === 'succeeded' && row.attempts === 1 && row.locked_by === null),
    ).toBe(true);
    expect(target.receiver.requests).toHaveLength(3);
    if (api) {
      api.child.kill('SIGTERM');
      expect(await api.exited).toBe(0);
    }
  });

  it('past the shutdown timeout hands the attempts back untouched, and the next worker delivers them', async () => {
    const target = await heldReceiver();
    const { start, deliveries, publish } = await setup(target.receiver.url);
    const first = await deliveringProcess(start, { KLANG_SHUTDOWN_TIMEOUT: '200ms' });
    const events = [await publish(first.apiUrl), await publish(first.apiUrl)];
    await waitFor(() => target.held.length === 2, 15_000, 'two attempts in flight');

    first.worker.child.kill('SIGTERM');
    expect(await first.worker.exited).toBe(0);
    expect(first.worker.output()).toMatch(/releasing attempts still in flight at shutdown/);
    const released = await deliveries();
    expect(
      released.every((row) => row.status === 'pending' && row.attempts === 0 && row.locked_by === null),
    ).toBe(true);

    target.release();
    const next = kind === 'sqlite' ? (await start('all')).server : (await start('worker')).server;
    await waitFor(
      async () => (await deliveries()).every((row) => row.status === 'succeeded'),
      15_000,
      'the released deliveries to be delivered',
    );
    expect(new Set(target.receiver.requests.map((request) => request.headers['webhook-id']))).toEqual(
      new Set(events),
    );
    next.child.kill('SIGTERM');
    expect(await next.exited).toBe(0);
    if (first.api) {
      first.api.child.kill('SIGTERM');
      expect(await first.api.exited).toBe(0);
    }
  });

  it('an api process answers what it accepted before exiting 0, and stores every event it answered 202', async () => {
    const target = await heldReceiver();
    target.release();
    const { database, start } = await setup(target.receiver.url);
    const { server, url } = await start(kind === 'sqlite' ? 'all' : 'api');
    const conversation = (
      await database.db.selectFrom('conversations').select('id').executeTakeFirstOrThrow()
    ).id;
    const answered: string[] = [];
    let refused = 0;
    let stopped = false;
    const lane = async () => {
      while (!stopped) {
        try {
          const response = await fetch(`${url}/internal/v1/events`, {
            method: 'POST',
            headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
            body: JSON.stringify({ type: 'conversation.ready', conversation_id: conversation }),
          });
          if (response.status === 202) answered.push(((await response.json()) as { id: string }).id);
          else refused++;
        } catch {
          refused++; // the listener is closed (or the idle connection was): nothing was accepted
          stopped = true;
        }
      }
    };
    const lanes = Promise.all(Array.from({ length: 8 }, lane));
    await waitFor(() => answered.length >= 50, 15_000, 'a steady load');
    server.child.kill('SIGTERM');
    // Within the test's deadline, far below the keep-alive timeout its pooled connections would hold.
    expect(await server.exited).toBe(0);
    stopped = true;
    await lanes;
    expect(answered.length).toBeGreaterThanOrEqual(50);
    const stored = await database.db.selectFrom('events').select('id').where('id', 'in', answered).execute();
    expect(stored).toHaveLength(answered.length);
    expect(refused).toBeGreaterThan(0);
  });
});
