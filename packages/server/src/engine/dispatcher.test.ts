import { describe, expect, it } from 'vitest';
import type { ClaimedDelivery, QueueResult } from '../db/repos/queue-repo.ts';
import { createLogger } from '../logger.ts';
import { createContextFreshness } from './context-freshness.ts';
import type { DispatchResult } from './dispatch.ts';
import { createDispatcher } from './dispatcher.ts';
import { createEndpointLimits } from './endpoint-limits.ts';
import type { ResultWriter } from './result-writer.ts';

let seq = 0;
const delivery = (webhookId = 'wh'): ClaimedDelivery => ({
  id: `dlv_${seq++}`,
  eventId: `evt_${seq}`,
  webhookId,
  ownerId: 'own',
  attempts: 0,
  test: false,
  eventType: 'conversation.ready',
  conversationId: null,
  payload: '{}',
  claimedAt: 1_000,
  dueAt: 1_000,
  context: {
    status: 'active',
    url: 'http://127.0.0.1/',
    userId: 'own',
    plan: 'pro',
    hasAccess: true,
    secretEnc: 'sealed',
    previousSecretEnc: null,
    previousSecretExpiresAt: null,
  },
});

const answered = (status: number): DispatchResult => ({
  kind: 'attempt',
  startedAt: 1_000,
  signature: null,
  outcome:
    status < 300
      ? {
          outcome: 'succeeded',
          durationMs: 1,
          response: { status, headers: {}, body: '', bodyEncoding: 'utf8', truncated: false },
        }
      : {
          outcome: 'failed',
          error: 'http_status',
          message: `HTTP ${status}`,
          durationMs: 1,
          response: { status, headers: {}, body: '', bodyEncoding: 'utf8', truncated: false },
        },
});

/** A writer whose writes complete when the test says so. */
function heldWriter() {
  const written: QueueResult[] = [];
  const waiting: (() => void)[] = [];
  const writer: ResultWriter<QueueResult> = {
    submit: (result) =>
      new Promise((resolve) =>
        waiting.push(() => {
          written.push(result);
          resolve(true);
        }),
      ),
    drain: async () => {},
    backlog: () => waiting.length,
  };
  const flush = () => {
    for (const done of waiting.splice(0)) done();
  };
  return { writer, written, flush, pending: () => waiting.length };
}

function setup(answer: (d: ClaimedDelivery, recheck: boolean) => DispatchResult) {
  const events: string[] = [];
  const released: string[] = [];
  const rechecks: boolean[] = [];
  const w = heldWriter();
  const freshness = createContextFreshness(100);
  const dispatcher = createDispatcher({
    settings: { workerConcurrency: 4, retrySchedule: [1_000] },
    dispatch: async (d, recheck) => {
      rechecks.push(recheck);
      return answer(d, recheck);
    },
    writer: w.writer,
    release: async (ids) => {
      released.push(...ids);
    },
    limits: createEndpointLimits(8),
    freshness,
    logger: createLogger('silent'),
    onFree: (d) => events.push(`free ${d.id}`),
    onRetry: (at) => events.push(`retry ${at}`),
    now: () => 1_010,
  });
  return { dispatcher, events, released, rechecks, freshness, ...w };
}

const until = async (condition: () => boolean) => {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
};

describe('dispatcher', () => {
  it('frees a success’s slot before its record is written, a failure’s only after', async () => {
    const ok = delivery();
    const bad = delivery();
    const t = setup((d) => answered(d === ok ? 200 : 500));
    const runs = [t.dispatcher.run(ok), t.dispatcher.run(bad)];
    await until(() => t.pending() === 2);
    expect(t.events).toEqual([`free ${ok.id}`]);
    expect(t.dispatcher.unrecorded()).toEqual([ok.id]);
    t.flush();
    await Promise.all(runs);
    expect(t.events).toEqual([`free ${ok.id}`, expect.stringMatching(/^retry \d+$/), `free ${bad.id}`]);
    expect(t.written.map((r) => r.kind === 'attempt' && r.deliveryStatus)).toEqual(['succeeded', 'pending']);
    expect(t.dispatcher.unrecorded()).toEqual([]);
  });

  it('makes the webhook’s next delivery re-read its context after a failure', async () => {
    const t = setup(() => answered(500));
    const first = t.dispatcher.run(delivery());
    await until(() => t.pending() === 1);
    t.flush();
    await first;
    const second = t.dispatcher.run(delivery());
    await until(() => t.pending() === 1);
    t.flush();
    await second;
    expect(t.rechecks).toEqual([false, true]);
  });

  it('hands a paused webhook’s delivery back and records a cancellation', async () => {
    const paused = delivery('wh_paused');
    const revoked = delivery('wh_revoked');
    const t = setup((d) =>
      d === paused
        ? { kind: 'wait', reason: 'webhook_paused' }
        : { kind: 'cancel', reason: 'access_revoked' },
    );
    const runs = [t.dispatcher.run(paused), t.dispatcher.run(revoked)];
    await until(() => t.pending() === 1);
    t.flush();
    await Promise.all(runs);
    expect(t.released).toEqual([paused.id]);
    expect(t.written).toEqual([{ kind: 'cancel', deliveryId: revoked.id, reason: 'access_revoked' }]);
    expect(t.freshness.stale({ webhookId: 'wh_paused', claimedAt: 1_000 }, 1_010)).toBe(true);
  });

  it('records nothing for an abandoned delivery', async () => {
    const d = delivery();
    let answer: (r: DispatchResult) => void = () => {};
    const t = setup(() => answered(200));
    const dispatcher = createDispatcher({
      settings: { workerConcurrency: 4, retrySchedule: [1_000] },
      dispatch: () => new Promise((resolve) => (answer = resolve)),
      writer: t.writer,
      release: async () => {},
      limits: createEndpointLimits(8),
      freshness: t.freshness,
      logger: createLogger('silent'),
      onFree: () => {},
      onRetry: () => {},
    });
    const run = dispatcher.run(d);
    dispatcher.abandon([d.id]);
    answer(answered(200));
    await run;
    expect(t.pending()).toBe(0);
  });
});
