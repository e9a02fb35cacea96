import { describe, expect, it } from 'vitest';
import type { ClaimedDelivery } from '../db/repos/queue-repo.ts';
import { createDeliveryLines } from './delivery-lines.ts';

let seq = 0;
const delivery = (ownerId: string, webhookId: string): ClaimedDelivery => ({
  id: `dlv_${seq++}`,
  eventId: 'evt',
  webhookId,
  ownerId,
  attempts: 0,
  test: false,
  eventType: 'conversation.ready',
  conversationId: null,
  payload: '{}',
  claimedAt: 0,
  dueAt: 0,
  context: {
    status: 'active',
    url: 'http://127.0.0.1/',
    userId: ownerId,
    plan: 'pro',
    hasAccess: true,
    secretEnc: 'sealed',
    previousSecretEnc: null,
    previousSecretExpiresAt: null,
  },
});

const startAll = (lines: ReturnType<typeof createDeliveryLines>) => {
  const started: ClaimedDelivery[] = [];
  for (let next = lines.next(); next; next = lines.next()) started.push(next);
  return started;
};

describe('delivery lines', () => {
  it('lets owners take turns, and webhooks within an owner', () => {
    const lines = createDeliveryLines({
      workerConcurrency: 6,
      ownerConcurrency: 100,
      webhookLimit: () => 100,
    });
    for (let i = 0; i < 10; i++) lines.add(delivery('noisy', `wh_n${i % 2}`));
    lines.add(delivery('quiet', 'wh_q'));
    const started = startAll(lines).map((d) => `${d.ownerId}/${d.webhookId}`);
    expect(started.slice(0, 2)).toEqual(['noisy/wh_n0', 'quiet/wh_q']);
    expect(started.slice(2)).toEqual(['noisy/wh_n1', 'noisy/wh_n0', 'noisy/wh_n1', 'noisy/wh_n0']);
  });

  it('holds each owner to its cap and each webhook to its current limit', () => {
    const limits = new Map([['wh_slow', 1]]);
    const lines = createDeliveryLines({
      workerConcurrency: 100,
      ownerConcurrency: 3,
      webhookLimit: (id) => limits.get(id) ?? 100,
    });
    for (let i = 0; i < 5; i++) lines.add(delivery('a', 'wh_slow'));
    for (let i = 0; i < 5; i++) lines.add(delivery('b', 'wh_b'));
    const started = startAll(lines);
    expect(started.filter((d) => d.ownerId === 'a')).toHaveLength(1);
    expect(started.filter((d) => d.ownerId === 'b')).toHaveLength(3);
    expect(lines.waitingCount()).toBe(6);
    lines.finish(started.find((d) => d.ownerId === 'a')!);
    expect(lines.next()).toMatchObject({ ownerId: 'a', webhookId: 'wh_slow' });
    expect(lines.ownerBacklog('a')).toBe(4);
    expect(lines.drainWaiting()).toHaveLength(5);
    expect(lines.ownerBacklog('a')).toBe(1);
  });
});
