// Response times and failure kinds through the running engine: real deliveries to receivers on
// 127.0.0.1 answering 200 slowly, 500, 404 and 301, one that never answers and a closed port, read
// back as the owner's 24-hour stats and as the hourly rows.

import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/databases.ts';
import { type EngineHarness, type Setup, startHarness } from './support/engine.ts';
import { answer, createReceiver, type Handler, type Receiver } from './support/receiver.ts';

/** The response-time bucket bounds (ms) of the hourly rows, spelled out independently of the code. */
const BOUNDS: [string, number][] = [
  ['response_le_5', 5],
  ['response_le_10', 10],
  ['response_le_25', 25],
  ['response_le_50', 50],
  ['response_le_100', 100],
  ['response_le_250', 250],
  ['response_le_500', 500],
  ['response_le_1000', 1_000],
  ['response_le_2500', 2_500],
  ['response_le_5000', 5_000],
  ['response_le_10000', 10_000],
  ['response_le_inf', Number.POSITIVE_INFINITY],
];

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const slowOk: Handler = (_request, res) => {
  setTimeout(() => {
    res.writeHead(200);
    res.end('ok');
  }, 300);
};

describeEachDatabase('hourly response times and failure kinds through the engine (%s)', (kind) => {
  let harness: EngineHarness;
  const receivers: Receiver[] = [];

  afterEach(async () => {
    await harness?.dispose();
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  async function receiver(handler: Handler): Promise<Receiver> {
    const created = await createReceiver();
    created.respond(handler);
    receivers.push(created);
    return created;
  }

  it('counts each failure under its kind and each answer in its response-time bucket', async () => {
    harness = await startHarness(kind, { KLANG_RETRY_SCHEDULE: 'none', KLANG_DELIVERY_TIMEOUT: '1s' });
    const hang = await receiver(() => {}); // never answers
    const targets = {
      slow: (await receiver(slowOk)).url,
      server: (await receiver(answer(500, {}, 'down'))).url,
      missing: (await receiver(answer(404, {}, 'no such path'))).url,
      moved: (await receiver(answer(301, { location: 'https://elsewhere.example/' }))).url,
      hang: hang.url,
      refused: `http://127.0.0.1:${await closedPort()}`,
    };
    // Each target gets an owner and a webhook of its own.
    const setups: Record<keyof typeof targets, Setup> = {} as never;
    for (const [name, url] of Object.entries(targets)) {
      setups[name as keyof typeof targets] = await harness.setup(url);
    }
    const events: [string, string][] = [];
    for (const [name, setup] of Object.entries(setups)) {
      const times = name === 'slow' ? 4 : name === 'server' ? 2 : 1;
      for (let i = 0; i < times; i++)
        events.push([await harness.publish(setup.conversationId), setup.webhook.id]);
    }
    for (const [eventId, webhookId] of events) await harness.settled(eventId, webhookId);

    const stats = async (name: keyof typeof targets) =>
      harness.container.services.deliveryLog.stats(
        { id: setups[name].userId, plan: 'pro' },
        setups[name].webhook.id,
      );
    const kinds = async (name: keyof typeof targets) => {
      const byKind = (await stats(name)).failuresByKind;
      return Object.fromEntries(Object.entries(byKind).filter(([, n]) => n > 0));
    };
    expect(await kinds('slow')).toEqual({});
    expect(await kinds('server')).toEqual({ server_error: 2 });
    expect(await kinds('missing')).toEqual({ client_error: 1 });
    expect(await kinds('moved')).toEqual({ redirect: 1 });
    expect(await kinds('hang')).toEqual({ timeout: 1 });
    expect(await kinds('refused')).toEqual({ connection: 1 });

    // Each answered attempt is in the bucket of its recorded duration; unanswered ones in none.
    for (const name of Object.keys(targets) as (keyof typeof targets)[]) {
      const webhookId = setups[name].webhook.id;
      const attempts = await harness.attempts(webhookId);
      const expected = Object.fromEntries(BOUNDS.map(([column]) => [column, 0]));
      for (const attempt of attempts) {
        if (attempt.response_status === null) continue;
        const [column] = BOUNDS.find(([, bound]) => attempt.duration_ms <= bound)!;
        expected[column]!++;
      }
      const rows = await harness.database.db
        .selectFrom('webhook_stats_hourly')
        .selectAll()
        .where('webhook_id', '=', webhookId)
        .execute();
      const counted = Object.fromEntries(
        BOUNDS.map(([column]) => [
          column,
          rows.reduce((sum, row) => sum + Number(row[column as keyof typeof row]), 0),
        ]),
      );
      expect(counted, name).toEqual(expected);
    }

    // The slow receiver answers after 300 ms: both percentiles are above the 250 ms bound.
    const slow = await stats('slow');
    expect(slow).toMatchObject({ delivered: 4, failed: 0 });
    expect(slow.p50ResponseMs).toBeGreaterThan(250);
    expect(slow.p95ResponseMs).toBeGreaterThanOrEqual(slow.p50ResponseMs!);
    // Neither a timeout nor a refused connection has a response time.
    expect(await stats('hang')).toMatchObject({ failed: 1, p50ResponseMs: null, p95ResponseMs: null });
    expect(await stats('refused')).toMatchObject({ failed: 1, p50ResponseMs: null, p95ResponseMs: null });
    // The 500s, 404 and 301 were answered: they have response times.
    expect((await stats('server')).p50ResponseMs).not.toBeNull();
    expect(hang.requests).toHaveLength(1);
  });
});
