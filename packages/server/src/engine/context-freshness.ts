// When a claimed delivery's context (webhook status, owner plan and access, read by the claim) must
// be read again before sending: once it is older than a short age, or when something this worker
// recorded for the webhook since the claim may have changed it (a failure can auto-pause it).

export interface ContextFreshness {
  /** Something recorded for this webhook may have changed its eligibility. */
  changed(webhookId: string, at: number): void;
  /** The claim's context of this delivery may no longer hold at `now`. */
  stale(delivery: { webhookId: string; claimedAt: number }, now: number): boolean;
}

const MAX_TRACKED = 10_000;

export function createContextFreshness(maxAgeMs: number): ContextFreshness {
  const changedAt = new Map<string, number>();
  function prune(now: number): void {
    // A change older than maxAgeMs only concerns contexts that are stale by age anyway.
    for (const [id, at] of changedAt) if (now - at > maxAgeMs) changedAt.delete(id);
    if (changedAt.size >= MAX_TRACKED) changedAt.clear();
  }
  return {
    changed(webhookId, at) {
      if (changedAt.size >= MAX_TRACKED) prune(at);
      changedAt.set(webhookId, at);
    },
    stale(delivery, now) {
      if (now - delivery.claimedAt > maxAgeMs) return true;
      const at = changedAt.get(delivery.webhookId);
      return at !== undefined && at >= delivery.claimedAt;
    },
  };
}
