// Fairness between tenants: one Pro owner floods test events at 20 webhooks whose receivers never
// answer (and resumes each one that auto-pauses); another owner's healthy webhook keeps its p99
// delivery latency low throughout, and the flood is held to the per-webhook test-event limit.
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.ts';
import { DATABASE_KINDS } from '../support/databases.ts';
import { insertWebhook } from '../support/fixtures.ts';
import { type EngineHarness, startHarness } from './support/engine.ts';
import { createReceiver, type Receiver, waitFor } from './support/receiver.ts';

const ATTACK_WEBHOOKS = 20;
const TESTS_PER_WEBHOOK = 20;
const MEASURE_MS = 5_000;
const P99_BOUND_MS = 1_000;

const p99 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.99) - 1]!;

describe.each(DATABASE_KINDS)('noisy neighbour (%s)', (kind) => {
  let harness: EngineHarness;
  const receivers: Receiver[] = [];

  afterEach(async () => {
    await harness?.dispose();
    for (const receiver of receivers.splice(0)) await receiver.close();
  });

  it.each([
    ['with the test-event limit', {}],
    ['with the engine caps alone (no test-event limit)', { KLANG_TEST_EVENT_LIMIT: '100000' }],
  ])(
    "keeps another owner's healthy webhook prompt while one owner floods dead endpoints, %s",
    async (_name, env) => {
      // Default caps (128 per worker, 32 per owner, 8 per webhook); a short attempt deadline bounds the run.
      harness = await startHarness(kind, {
        ...env,
        KLANG_DELIVERY_TIMEOUT: '3s',
        KLANG_RETRY_SCHEDULE: '10ms,10ms,10ms,10ms,10ms,10ms',
        KLANG_SHUTDOWN_TIMEOUT: '0s',
      });
      const dead = await createReceiver();
      const healthy = await createReceiver();
      receivers.push(dead, healthy);
      dead.respond(() => {}); // never answers
      const { container, database } = harness;

      const attacker = await harness.setup(`${dead.url}/0`);
      const caller = { id: attacker.userId, plan: 'pro' as const };
      const targets = [attacker.webhook.id];
      for (let i = 1; i < ATTACK_WEBHOOKS; i++) {
        const created = await insertWebhook(database.db, container.secretBox, attacker.userId, {
          url: `${dead.url}/${i}`,
          events: ['conversation.ready'],
        });
        targets.push(created.id);
      }
      const victim = await harness.setup(healthy.url);

      let accepted = 0;
      let limited = 0;
      const flood = async () => {
        for (let round = 0; round < TESTS_PER_WEBHOOK; round++) {
          for (const id of targets) {
            try {
              await container.services.testEvents.send(caller, id, 'conversation.ready');
              accepted++;
            } catch (error) {
              if (!(error instanceof AppError)) throw error;
              if (error.code === 'rate_limited') limited++;
              if (error.code === 'webhook_paused')
                await container.services.webhooks.resume(caller, id, false);
            }
          }
        }
      };
      await flood();
      await waitFor(
        () => dead.requests.length >= ATTACK_WEBHOOKS,
        10_000,
        'the flood to reach the dead receivers',
      );

      const latencies: number[] = [];
      const end = Date.now() + MEASURE_MS;
      while (Date.now() < end) {
        const before = healthy.requests.length;
        const sentAt = Date.now();
        await harness.publish(victim.conversationId);
        await waitFor(() => healthy.requests.length > before, 30_000, 'the healthy delivery');
        latencies.push(healthy.requests[before]!.at - sentAt);
      }
      const observed = p99(latencies);
      console.info(
        `[noisy neighbour ${kind}] healthy p99 ${observed} ms over ${latencies.length} events; ` +
          `attacker test events accepted ${accepted}, limited ${limited}; dead receiver saw ${dead.requests.length}`,
      );
      expect(latencies.length).toBeGreaterThanOrEqual(20);
      expect(observed).toBeLessThan(P99_BOUND_MS);
      if ('KLANG_TEST_EVENT_LIMIT' in env) return;
      // Test events are limited per webhook (5 a minute by default).
      expect(accepted).toBe(ATTACK_WEBHOOKS * 5);
      expect(limited).toBe(ATTACK_WEBHOOKS * (TESTS_PER_WEBHOOK - 5));
    },
  );
});
