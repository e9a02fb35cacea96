// The worker as a whole: a slow endpoint never delays others (per-webhook cap), graceful stop
// releases what is still in flight, a dead worker's leases are taken over, and two workers on
// one database never send the same attempt twice.
import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { createContainer } from '../../src/container.ts';
import { connectDatabase } from '../../src/db/connect.ts';
import { startEngine } from '../../src/engine/index.ts';
import { createLogger } from '../../src/logger.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { type EngineHarness, startHarness, TEST_ENV } from './support/engine.ts';
import { answer, createReceiver, type Receiver, waitFor } from './support/receiver.ts';

describeEachDatabase('worker (%s)', (kind) => {
  let harness: EngineHarness;
  const receivers: Receiver[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await harness?.dispose();
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  async function receiver() {
    const created = await createReceiver();
    receivers.push(created);
    return created;
  }

  /** A receiver that holds every request until released, counting the most held at once. */
  async function holdingReceiver() {
    const target = await receiver();
    const held: (() => void)[] = [];
    let inFlight = 0;
    let peak = 0;
    target.respond((_request, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      held.push(() => {
        inFlight--;
        res.writeHead(200);
        res.end();
      });
    });
    return {
      target,
      peak: () => peak,
      releaseAll: () => {
        for (const release of held.splice(0)) release();
      },
    };
  }

  it('keeps delivering to fast webhooks while a slow one is saturated, within its cap', async () => {
    harness = await startHarness(kind, { KLANG_WEBHOOK_CONCURRENCY: '2' });
    const slow = await holdingReceiver();
    cleanups.push(async () => slow.releaseAll());
    const fast = await receiver();
    const slowSetup = await harness.setup(slow.target.url);
    const fastSetup = await harness.setup(fast.url);
    for (let i = 0; i < 20; i++) await harness.publish(slowSetup.conversationId);
    const fastEvents: string[] = [];
    for (let i = 0; i < 20; i++) fastEvents.push(await harness.publish(fastSetup.conversationId));

    for (const id of fastEvents) await harness.settled(id, fastSetup.webhook.id, ['succeeded'], 5_000);
    expect(slow.peak()).toBe(2);
    expect(slow.target.requests.length).toBeLessThanOrEqual(2);

    const done = () =>
      harness.database.db
        .selectFrom('deliveries')
        .select('id')
        .where('webhook_id', '=', slowSetup.webhook.id)
        .where('status', '=', 'succeeded')
        .execute();
    const timer = setInterval(slow.releaseAll, 20);
    cleanups.push(async () => clearInterval(timer));
    await waitFor(async () => (await done()).length === 20, 10_000, 'the slow webhook to catch up');
    expect(slow.peak()).toBe(2);
  });

  it('stops gracefully: in-flight attempts past the deadline are released, not counted', async () => {
    harness = await startHarness(kind, { KLANG_SHUTDOWN_TIMEOUT: '100ms' });
    const slow = await holdingReceiver();
    cleanups.push(async () => slow.releaseAll());
    const { conversationId, webhook } = await harness.setup(slow.target.url);
    const eventId = await harness.publish(conversationId);
    await waitFor(() => slow.target.requests.length === 1, 5_000, 'the attempt to start');
    const started = Date.now();
    await harness.stopEngine();
    expect(Date.now() - started).toBeLessThan(2_000);
    const delivery = await harness.delivery(eventId, webhook.id);
    expect(delivery).toMatchObject({ status: 'pending', attempts: 0, locked_by: null });
    expect(await harness.attempts(webhook.id)).toHaveLength(0);

    slow.releaseAll();
    slow.target.respond(answer(200));
    await harness.restartEngine();
    expect(await harness.settled(eventId, webhook.id, ['succeeded'])).toMatchObject({ attempts: 1 });
    expect((await harness.webhook(webhook.id)).consecutive_failures).toBe(0);
  });

  it('lets in-flight attempts finish when they do so within the deadline', async () => {
    harness = await startHarness(kind, { KLANG_SHUTDOWN_TIMEOUT: '5s' });
    const slow = await holdingReceiver();
    const { conversationId, webhook } = await harness.setup(slow.target.url);
    const eventId = await harness.publish(conversationId);
    await waitFor(() => slow.target.requests.length === 1, 5_000, 'the attempt to start');
    const stopping = harness.stopEngine();
    setTimeout(slow.releaseAll, 100);
    await stopping;
    expect(await harness.delivery(eventId, webhook.id)).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('takes over deliveries a dead worker leased, without counting its attempt', async () => {
    harness = await startHarness(kind, { KLANG_LEASE: '1s' });
    const target = await receiver();
    await harness.stopEngine();
    const { conversationId, webhook } = await harness.setup(target.url);
    const eventId = await harness.publish(conversationId);
    await harness.database.db
      .updateTable('deliveries')
      .set({ locked_by: 'wrk_dead', locked_until: Date.now() + 800 })
      .execute();
    await harness.restartEngine();
    const delivery = await harness.settled(eventId, webhook.id, ['succeeded'], 5_000);
    expect(delivery.attempts).toBe(1);
    expect(target.requests).toHaveLength(1);
  });

  it.runIf(kind === 'postgres')(
    'shares the queue between two workers without duplicate attempts',
    async () => {
      harness = await startHarness(kind, { KLANG_CLAIM_BATCH: '20' });
      const target = await receiver();
      const setups = [];
      for (let i = 0; i < 4; i++) setups.push(await harness.setup(target.url));
      const config = loadConfig({ ...TEST_ENV, KLANG_CLAIM_BATCH: '20' });
      const second = await createContainer({
        config,
        logger: createLogger('silent'),
        secretKey: randomBytes(32),
        ingestToken: 'test-ingest-token-0123456789',
        database: connectDatabase(process.env.TEST_DATABASE_URL!, { schema: harness.database.schema! }),
        migrate: false,
      });
      Object.assign(second, { secretBox: harness.container.secretBox });
      const otherEngine = await startEngine(second);
      cleanups.push(async () => {
        await otherEngine.stop();
        await second.close();
        await second.database.close();
      });
      const total = 200;
      for (let i = 0; i < total / 4; i++) {
        for (const setup of setups) await harness.publish(setup.conversationId);
      }
      await waitFor(
        async () => {
          const rows = await harness.database.db
            .selectFrom('deliveries')
            .select('id')
            .where('status', '=', 'succeeded')
            .execute();
          return rows.length === total;
        },
        20_000,
        'every delivery',
      );
      const ids = target.requests.map((r) => `${r.headers['webhook-id']} ${r.path}`);
      expect(target.requests).toHaveLength(total);
      expect(new Set(ids).size).toBe(total);
      const workers = await harness.database.db.selectFrom('workers').select('id').execute();
      expect(workers).toHaveLength(2);
      const sent = async (container: typeof second) =>
        (await container.metrics.attempts.get()).values.reduce((sum, v) => sum + v.value, 0);
      const [mine, theirs] = [await sent(harness.container), await sent(second)];
      expect(mine + theirs).toBe(total);
      expect(mine).toBeGreaterThan(0);
      expect(theirs).toBeGreaterThan(0);
    },
  );
});
