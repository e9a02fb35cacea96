// The claim planner: decides when a worker claims and what — a scan in due order that skips the
// webhooks and owners it holds enough of (reading only what became due since an exhaustive scan,
// with a full scan every poll interval), or a refill of the saturated webhooks whose line has room,
// read from where the webhook's last refills got to (from the start once per poll interval). It keeps
// counts and due times only; the worker runs the queries it plans.
import type { ClaimedDelivery, ClaimRequest, RefillRequest } from '../db/repos/queue-repo.ts';

export interface PlannerSettings {
  workerId: string;
  workerConcurrency: number;
  ownerConcurrency: number;
  webhookConcurrency: number;
  claimBatchSize: number;
  leaseMs: number;
  pollIntervalMs: number;
}

/** What the planner reads of the worker's local lines. */
export interface HeldView {
  inFlightCount(): number;
  waitingCount(): number;
  webhookBacklog(webhookId: string): number;
  ownerBacklog(ownerId: string): number;
  webhookIds(): string[];
  ownerIds(): string[];
  ownerOf(webhookId: string): string | undefined;
}

/** Each webhook's local line holds up to this many times its in-flight cap (claimed ahead). */
export const PREFETCH_FACTOR = 4;
/** A scan after an exhaustive one reads from this much before it (publishes that committed late). */
const SCAN_MARGIN_MS = 100;
/** While saturated on some webhooks, wake-ups scan at most this often. */
const SATURATED_SCAN_GAP_MS = 20;

/** What the planner reads of a delivery a refill leased. */
export type RefillLease = Pick<ClaimedDelivery, 'webhookId' | 'dueAt'>;

/**
 * Where a webhook's next refill starts: the latest due time its refills leased since `since`. What
 * was due before was leased by this worker's refills (or is locked by another worker); what comes
 * back unheld behind it (a release, another worker's expired lease) waits at most one poll interval,
 * when a refill reads from the start again.
 */
interface RefillFloor {
  dueAt: number;
  since: number;
}

export interface ClaimPlanner {
  /** Deliveries the worker may still take on. */
  room(): number;
  /** A scan is wanted (a wake-up, a timer, a failed claim). */
  wantScan(): void;
  scanWanted(): boolean;
  /** A wanted scan may run now (else it waits for `scanDeferredFor` ms). */
  scanReady(now: number): boolean;
  scanDeferredFor(now: number): number;
  refillWanted(): boolean;
  /** The scan to run now (clears the wish), or undefined without room. */
  planScan(now: number): ClaimRequest | undefined;
  /** After a scan: what it took per webhook; true when it filled its limit (more may be due). */
  scanned(request: ClaimRequest, perWebhook: ReadonlyMap<string, number>, count: number): boolean;
  planRefill(now: number): RefillRequest | undefined;
  /** After a refill: the deliveries it leased, at `now`. */
  refilled(request: RefillRequest, leased: readonly RefillLease[], now: number): void;
  /**
   * Whether refills alone reach the new deliveries of these webhooks, so their wake-up needs no
   * scan: each may have more due than held and has deliveries held, whose completions refill it.
   */
  refillsReach(webhookIds: ReadonlySet<string>): boolean;
  /** After a delivery freed its slot: whether a scan or a refill is now worth a query. */
  afterCompletion(webhookId: string, ownerId: string): { scan: boolean; refill: boolean };
  /** A claim failed: the next scan is a full one. */
  claimFailed(): void;
  /** When the last scan ran: everything due by then was seen by it. */
  lastScanAt(): number;
}

export function createClaimPlanner(
  settings: PlannerSettings,
  held: HeldView,
  now = Date.now(),
): ClaimPlanner {
  const prefetch = settings.webhookConcurrency * PREFETCH_FACTOR;
  /**
   * A refill is wanted once half a webhook's line is free: large enough to be worth a query, early
   * enough that the rest covers the wait for the next result commit it rides on.
   */
  const refillStep = Math.max(1, Math.floor(prefetch / 2));
  /** Deliveries held at most (in flight + waiting), bounding leases and memory. */
  const maxHeld = settings.workerConcurrency + settings.claimBatchSize;
  /** Held at most for one owner: others always find room. */
  const ownerHeld = Math.max(
    1,
    Math.min(settings.ownerConcurrency * PREFETCH_FACTOR, Math.floor(maxHeld / 2)),
  );
  /** A scan after a completion is worth it once a quarter of a batch is free. */
  const scanStep = Math.max(1, Math.floor(settings.claimBatchSize / 4));
  let scanWanted = true;
  let lastScanAt = now;
  let lastFullScanAt = 0;
  /** Set after a scan that took everything due of the webhooks it did not exclude. */
  let scanFloor: number | undefined;
  let lastScanFull = false;
  /** Webhooks that may have more due than held (excluded, or a claim hit their limit). */
  const saturated = new Set<string>();
  /** Saturated webhooks whose local line has room for a refill worth a query. */
  const refills = new Set<string>();
  /** Owners a scan skipped: once their lines drain, a full scan finds the rest. */
  const ownersSkipped = new Set<string>();
  /** Per webhook with deliveries held: where its next refill starts (refills only; scans skip ahead). */
  const floors = new Map<string, RefillFloor>();
  const room = () => maxHeld - held.inFlightCount() - held.waitingCount();
  const scanDeferredFor = (at: number) =>
    saturated.size > 0 && scanFloor !== undefined ? lastScanAt + SATURATED_SCAN_GAP_MS - at : 0;

  return {
    room,
    wantScan: () => {
      scanWanted = true;
    },
    scanWanted: () => scanWanted,
    scanReady: (at) => scanWanted && scanDeferredFor(at) <= 0,
    scanDeferredFor,
    refillWanted: () => refills.size > 0,
    planScan(at) {
      scanWanted = false;
      const free = room();
      if (free <= 0) return undefined;
      const limit = Math.min(free, settings.claimBatchSize);
      const exclude = held.webhookIds().filter((id) => held.webhookBacklog(id) >= prefetch);
      const excludeOwners = held.ownerIds().filter((id) => held.ownerBacklog(id) >= ownerHeld);
      for (const id of excludeOwners) ownersSkipped.add(id);
      const full =
        (exclude.length === 0 && excludeOwners.length === 0) ||
        scanFloor === undefined ||
        at - lastFullScanAt >= settings.pollIntervalMs;
      lastScanAt = at;
      if (full) lastFullScanAt = at;
      return {
        workerId: settings.workerId,
        now: at,
        leaseMs: settings.leaseMs,
        limit,
        perWebhook: prefetch,
        perOwner: ownerHeld,
        excludeWebhookIds: exclude,
        excludeOwnerIds: excludeOwners,
        ...(full ? {} : { dueAfter: scanFloor }),
      };
    },
    scanned(request, perWebhook, count) {
      for (const id of request.excludeWebhookIds) saturated.add(id);
      for (const [id, n] of perWebhook) if (n >= prefetch) saturated.add(id);
      // An owner whose share, not its webhooks' lines, capped the scan is skipped by the next scans:
      // once its lines drain by half, a completion asks for a full scan (afterCompletion), as for an
      // owner a scan excluded. (Full lines are refilled on their own.)
      for (const id of held.webhookIds()) {
        const owner = held.ownerOf(id);
        if (owner === undefined || held.webhookBacklog(id) >= prefetch) continue;
        if (held.ownerBacklog(owner) >= ownerHeld) ownersSkipped.add(owner);
      }
      lastScanFull = count === request.limit;
      scanFloor = lastScanFull ? undefined : request.now - SCAN_MARGIN_MS;
      if (lastScanFull) scanWanted = true;
      return lastScanFull;
    },
    planRefill(at) {
      const wanted = new Map<string, number>();
      const after = new Map<string, number>();
      const ownerRoom = new Map<string, number>();
      let budget = room();
      for (const id of refills) {
        const owner = held.ownerOf(id);
        const left =
          owner === undefined ? ownerHeld : (ownerRoom.get(owner) ?? ownerHeld - held.ownerBacklog(owner));
        const count = Math.min(prefetch - held.webhookBacklog(id), budget, left);
        if (count <= 0) continue;
        wanted.set(id, count);
        const floor = floors.get(id);
        if (floor && at - floor.since < settings.pollIntervalMs) after.set(id, floor.dueAt);
        else floors.delete(id);
        if (owner !== undefined) ownerRoom.set(owner, left - count);
        budget -= count;
      }
      refills.clear();
      if (wanted.size === 0) return undefined;
      return {
        workerId: settings.workerId,
        now: at,
        leaseMs: settings.leaseMs,
        webhooks: wanted,
        ...(after.size > 0 ? { after } : {}),
      };
    },
    refilled(request, leased, at) {
      const perWebhook = new Map<string, number>();
      for (const { webhookId, dueAt } of leased) {
        perWebhook.set(webhookId, (perWebhook.get(webhookId) ?? 0) + 1);
        const floor = floors.get(webhookId);
        if (!floor) floors.set(webhookId, { dueAt, since: at });
        else if (dueAt > floor.dueAt) floor.dueAt = dueAt;
      }
      for (const [id, count] of request.webhooks) if ((perWebhook.get(id) ?? 0) < count) saturated.delete(id);
    },
    refillsReach(webhookIds) {
      if (webhookIds.size === 0) return false;
      for (const id of webhookIds) if (!saturated.has(id) || held.webhookBacklog(id) === 0) return false;
      return true;
    },
    afterCompletion(webhookId, ownerId) {
      let scan = false;
      let refill = false;
      if (held.webhookBacklog(webhookId) === 0) floors.delete(webhookId);
      if (ownersSkipped.has(ownerId) && held.ownerBacklog(ownerId) <= ownerHeld / 2) {
        ownersSkipped.delete(ownerId);
        scanFloor = undefined;
        scan = true;
      }
      if (
        saturated.has(webhookId) &&
        prefetch - held.webhookBacklog(webhookId) >= refillStep &&
        !refills.has(webhookId)
      ) {
        refills.add(webhookId);
        refill = true;
      }
      if (lastScanFull && !scanWanted && room() >= scanStep) scan = true;
      if (scan) scanWanted = true;
      return { scan, refill };
    },
    claimFailed() {
      scanFloor = undefined;
      scanWanted = true;
    },
    lastScanAt: () => lastScanAt,
  };
}
