import { describe, expect, it } from 'vitest';
import { createClaimPlanner, type HeldView, PREFETCH_FACTOR } from './claim-planner.ts';

const settings = {
  workerId: 'wrk',
  workerConcurrency: 16,
  ownerConcurrency: 8,
  webhookConcurrency: 2,
  claimBatchSize: 40,
  leaseMs: 60_000,
  pollIntervalMs: 1_000,
};
const prefetch = settings.webhookConcurrency * PREFETCH_FACTOR;

/** Held counts the test sets directly: webhook → [owner, held]. */
function held(entries: Record<string, [string, number]> = {}, inFlight = 0): HeldView {
  const total = Object.values(entries).reduce((sum, [, n]) => sum + n, 0);
  const perOwner = (owner: string) =>
    Object.values(entries)
      .filter(([o]) => o === owner)
      .reduce((sum, [, n]) => sum + n, 0);
  return {
    inFlightCount: () => inFlight,
    waitingCount: () => total - inFlight,
    webhookBacklog: (id) => entries[id]?.[1] ?? 0,
    ownerBacklog: perOwner,
    webhookIds: () => Object.keys(entries),
    ownerIds: () => [...new Set(Object.values(entries).map(([o]) => o))],
    ownerOf: (id) => entries[id]?.[0],
  };
}

describe('claim planner', () => {
  it('plans a full scan first, bounded by room and batch, per webhook and per owner', () => {
    const planner = createClaimPlanner(settings, held(), 0);
    expect(planner.scanReady(0)).toBe(true);
    const request = planner.planScan(10)!;
    expect(request).toMatchObject({ limit: 40, perWebhook: prefetch, excludeWebhookIds: [], now: 10 });
    expect(request.dueAfter).toBeUndefined();
    expect(planner.scanWanted()).toBe(false);
  });

  it('excludes full lines, reads only what became due after an exhaustive scan, and defers wake-ups', () => {
    const view = held({ wh_full: ['own_a', prefetch], wh_some: ['own_b', 1] });
    const planner = createClaimPlanner(settings, view, 0);
    const first = planner.planScan(1_000)!;
    expect(first.excludeWebhookIds).toEqual(['wh_full']);
    expect(planner.scanned(first, new Map([['wh_some', 1]]), 1)).toBe(false);
    planner.wantScan();
    // Saturated on wh_full, and a scan just ran: the wake-up waits a little.
    expect(planner.scanReady(1_005)).toBe(false);
    expect(planner.scanDeferredFor(1_005)).toBe(15);
    const second = planner.planScan(1_030)!;
    expect(second.dueAfter).toBe(900);
    // Every poll interval the scan is a full one again.
    planner.scanned(second, new Map(), 0);
    expect(planner.planScan(2_100)!.dueAfter).toBeUndefined();
  });

  it('asks for another scan when one filled its limit', () => {
    const planner = createClaimPlanner(settings, held(), 0);
    const request = planner.planScan(0)!;
    expect(planner.scanned(request, new Map([['wh', 8]]), request.limit)).toBe(true);
    expect(planner.scanReady(0)).toBe(true);
  });

  it('lets refills alone reach new deliveries only of saturated webhooks it holds some of', () => {
    const entries: Record<string, [string, number]> = { full: ['own', prefetch], some: ['own', 3] };
    const planner = createClaimPlanner(settings, held(entries), 0);
    const request = planner.planScan(0)!;
    planner.scanned(
      request,
      new Map([
        ['full', prefetch],
        ['some', 3],
      ]),
      prefetch + 3,
    );
    expect(planner.refillsReach(new Set(['full']))).toBe(true);
    // Not saturated (its scan took all there was), unknown, or nothing held to refill it after.
    expect(planner.refillsReach(new Set(['full', 'some']))).toBe(false);
    expect(planner.refillsReach(new Set(['other']))).toBe(false);
    expect(planner.refillsReach(new Set())).toBe(false);
    entries.full = ['own', 0];
    expect(planner.refillsReach(new Set(['full']))).toBe(false);
  });

  it('refills a saturated webhook once half its line is free, within its owner’s share', () => {
    const entries: Record<string, [string, number]> = { wh: ['own', prefetch] };
    const planner = createClaimPlanner(settings, held(entries), 0);
    const request = planner.planScan(0)!;
    planner.scanned(request, new Map([['wh', prefetch]]), prefetch);
    entries.wh = ['own', prefetch / 2 + 1];
    expect(planner.afterCompletion('wh', 'own').refill).toBe(false);
    entries.wh = ['own', prefetch / 2];
    expect(planner.afterCompletion('wh', 'own').refill).toBe(true);
    const refill = planner.planRefill(5)!;
    expect([...refill.webhooks]).toEqual([['wh', prefetch / 2]]);
    expect(planner.refillWanted()).toBe(false);
    // It came back short: no longer saturated, so completions no longer ask for refills.
    planner.refilled(refill, [{ webhookId: 'wh', dueAt: 3 }], 5);
    entries.wh = ['own', 0];
    expect(planner.afterCompletion('wh', 'own').refill).toBe(false);
  });

  it('starts a refill where the webhook’s last refills got to, and from the start once per poll interval', () => {
    const entries: Record<string, [string, number]> = { wh: ['own', prefetch] };
    const planner = createClaimPlanner(settings, held(entries), 0);
    planner.scanned(planner.planScan(0)!, new Map([['wh', prefetch]]), prefetch);
    const drain = (at: number) => {
      entries.wh = ['own', prefetch / 2];
      planner.afterCompletion('wh', 'own');
      const request = planner.planRefill(at)!;
      entries.wh = ['own', prefetch];
      return request;
    };
    const lease = (dueAts: number[]) => dueAts.map((dueAt) => ({ webhookId: 'wh', dueAt }));
    // The first refill reads from the start (a scan's leases set no floor: scans may skip ahead).
    const first = drain(10);
    expect(first.after).toBeUndefined();
    planner.refilled(first, lease([40, 70, 55, 41]), 10);
    const second = drain(20);
    expect(second.after).toEqual(new Map([['wh', 70]]));
    // Later leases move it on, never back.
    planner.refilled(second, lease([90, 60, 75, 80]), 20);
    expect(drain(30).after).toEqual(new Map([['wh', 90]]));
    // A poll interval after the floor was set, one refill reads from the start again.
    const again = drain(10 + settings.pollIntervalMs);
    expect(again.after).toBeUndefined();
    planner.refilled(again, lease([20, 21, 22, 23]), 10 + settings.pollIntervalMs);
    expect(drain(20 + settings.pollIntervalMs).after).toEqual(new Map([['wh', 23]]));
  });

  it('forgets where a webhook’s refills got to once it holds none of its deliveries', () => {
    const entries: Record<string, [string, number]> = { wh: ['own', prefetch] };
    const planner = createClaimPlanner(settings, held(entries), 0);
    planner.scanned(planner.planScan(0)!, new Map([['wh', prefetch]]), prefetch);
    entries.wh = ['own', prefetch / 2];
    planner.afterCompletion('wh', 'own');
    const refill = planner.planRefill(5)!;
    planner.refilled(
      refill,
      Array.from({ length: prefetch / 2 }, () => ({ webhookId: 'wh', dueAt: 50 })),
      5,
    );
    entries.wh = ['own', 0];
    planner.afterCompletion('wh', 'own');
    planner.scanned(planner.planScan(6)!, new Map([['wh', prefetch]]), prefetch);
    entries.wh = ['own', prefetch / 2];
    planner.afterCompletion('wh', 'own');
    expect(planner.planRefill(7)!.after).toBeUndefined();
  });

  it('scans again once an owner a scan capped at its share has drained half of it', () => {
    // Four webhooks of one owner, none with a full line: the owner's share, not the webhooks', capped
    // the scan; nothing tells the worker that everything due was seen.
    const maxHeld = settings.workerConcurrency + settings.claimBatchSize;
    const ownerHeld = Math.min(settings.ownerConcurrency * PREFETCH_FACTOR, maxHeld / 2);
    const share = ownerHeld / 4;
    const entries: Record<string, [string, number]> = {};
    const planner = createClaimPlanner(settings, held(entries), 0);
    const request = planner.planScan(0)!;
    for (const id of ['wh_1', 'wh_2', 'wh_3', 'wh_4']) entries[id] = ['own', share];
    const perWebhook = new Map(Object.keys(entries).map((id) => [id, share]));
    expect(planner.scanned(request, perWebhook, ownerHeld)).toBe(false);
    entries.wh_1 = ['own', share - 1];
    expect(planner.afterCompletion('wh_1', 'own').scan).toBe(false);
    for (const id of Object.keys(entries)) entries[id] = ['own', Math.floor(share / 2)];
    expect(planner.afterCompletion('wh_1', 'own').scan).toBe(true);
    expect(planner.scanReady(1)).toBe(true);
    expect(planner.planScan(1)!.dueAfter).toBeUndefined();
  });

  it('has no scan to plan without room', () => {
    const planner = createClaimPlanner(settings, held({ wh: ['own', 56] }, 16), 0);
    expect(planner.room()).toBe(0);
    expect(planner.planScan(0)).toBeUndefined();
  });
});
