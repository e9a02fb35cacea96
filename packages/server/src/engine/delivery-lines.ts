// The worker's local lines: claimed deliveries waiting per owner and webhook, the ones in flight, and
// which starts next. Owners with waiting work take turns (and each webhook within its owner), each
// owner within its cap of sends in flight, each webhook within its own (adaptive) cap.
import type { ClaimedDelivery } from '../db/repos/queue-repo.ts';

export interface LineSettings {
  /** Sends in flight at most, over all owners. */
  workerConcurrency: number;
  /** Sends in flight at most for one owner's webhooks together. */
  ownerConcurrency: number;
  /** The current cap of one webhook. */
  webhookLimit(webhookId: string): number;
}

export interface DeliveryLines {
  add(delivery: ClaimedDelivery): void;
  /** The next delivery to send (now counted in flight), or undefined when every cap is reached. */
  next(): ClaimedDelivery | undefined;
  /** A delivery in flight is done with its slot. */
  finish(delivery: ClaimedDelivery): void;
  /** Removes and returns every waiting delivery (at shutdown). */
  drainWaiting(): ClaimedDelivery[];
  inFlight(): ReadonlyMap<string, ClaimedDelivery>;
  waitingCount(): number;
  waitingIds(): string[];
  /** Deliveries held (waiting or in flight) of one webhook, of one owner. */
  webhookBacklog(webhookId: string): number;
  ownerBacklog(ownerId: string): number;
  /** Webhooks and owners with anything held. */
  webhookIds(): string[];
  ownerIds(): string[];
  ownerOf(webhookId: string): string | undefined;
}

const increment = (counts: Map<string, number>, key: string, by: number) => {
  const value = (counts.get(key) ?? 0) + by;
  if (value > 0) counts.set(key, value);
  else counts.delete(key);
};

export function createDeliveryLines(settings: LineSettings): DeliveryLines {
  /** Owner → webhook → waiting deliveries; Map order is the turn order (a served entry moves last). */
  const waiting = new Map<string, Map<string, ClaimedDelivery[]>>();
  const flying = new Map<string, ClaimedDelivery>();
  const heldPerWebhook = new Map<string, number>();
  const heldPerOwner = new Map<string, number>();
  const activePerWebhook = new Map<string, number>();
  const activePerOwner = new Map<string, number>();
  const owners = new Map<string, string>();
  let waitingTotal = 0;

  /** The owner's next webhook with room, rotated to the back of the owner's turn order. */
  function takeFrom(ownerId: string, lines: Map<string, ClaimedDelivery[]>): ClaimedDelivery | undefined {
    for (const [webhookId, list] of lines) {
      if ((activePerWebhook.get(webhookId) ?? 0) >= settings.webhookLimit(webhookId)) continue;
      const delivery = list.shift()!;
      lines.delete(webhookId);
      if (list.length > 0) lines.set(webhookId, list);
      if (lines.size === 0) waiting.delete(ownerId);
      return delivery;
    }
    return undefined;
  }

  return {
    add(delivery) {
      const ownerId = delivery.ownerId;
      owners.set(delivery.webhookId, ownerId);
      const lines = waiting.get(ownerId) ?? new Map<string, ClaimedDelivery[]>();
      waiting.set(ownerId, lines);
      const list = lines.get(delivery.webhookId);
      if (list) list.push(delivery);
      else lines.set(delivery.webhookId, [delivery]);
      waitingTotal++;
      increment(heldPerWebhook, delivery.webhookId, 1);
      increment(heldPerOwner, ownerId, 1);
    },
    next() {
      if (flying.size >= settings.workerConcurrency) return undefined;
      for (const [ownerId, lines] of waiting) {
        if ((activePerOwner.get(ownerId) ?? 0) >= settings.ownerConcurrency) continue;
        const delivery = takeFrom(ownerId, lines);
        if (!delivery) continue;
        // The owner served goes to the back of the turn order.
        if (waiting.has(ownerId)) {
          waiting.delete(ownerId);
          waiting.set(ownerId, lines);
        }
        waitingTotal--;
        flying.set(delivery.id, delivery);
        increment(activePerWebhook, delivery.webhookId, 1);
        increment(activePerOwner, ownerId, 1);
        return delivery;
      }
      return undefined;
    },
    finish(delivery) {
      if (!flying.delete(delivery.id)) return;
      increment(activePerWebhook, delivery.webhookId, -1);
      increment(activePerOwner, delivery.ownerId, -1);
      increment(heldPerWebhook, delivery.webhookId, -1);
      increment(heldPerOwner, delivery.ownerId, -1);
      if (!heldPerWebhook.has(delivery.webhookId)) owners.delete(delivery.webhookId);
    },
    drainWaiting() {
      const out = [...waiting.values()].flatMap((lines) => [...lines.values()].flat());
      for (const delivery of out) {
        increment(heldPerWebhook, delivery.webhookId, -1);
        increment(heldPerOwner, delivery.ownerId, -1);
      }
      waiting.clear();
      waitingTotal = 0;
      return out;
    },
    inFlight: () => flying,
    waitingCount: () => waitingTotal,
    waitingIds: () => [...waiting.values()].flatMap((lines) => [...lines.values()].flat().map((d) => d.id)),
    webhookBacklog: (webhookId) => heldPerWebhook.get(webhookId) ?? 0,
    ownerBacklog: (ownerId) => heldPerOwner.get(ownerId) ?? 0,
    webhookIds: () => [...heldPerWebhook.keys()],
    ownerIds: () => [...heldPerOwner.keys()],
    ownerOf: (webhookId) => owners.get(webhookId),
  };
}
