// Adaptive per-webhook concurrency (AIMD): an endpoint's cap halves at each attempt that timed out
// and grows by one at each success, between 1 and the configured maximum. In memory, per worker.

export interface EndpointLimits {
  limit(webhookId: string): number;
  /** Adjusts the webhook's cap after an attempt. */
  observe(webhookId: string, result: 'succeeded' | 'timeout' | 'other'): void;
}

const MAX_TRACKED = 100_000;

export function createEndpointLimits(max: number): EndpointLimits {
  /** Only webhooks below the maximum are tracked. */
  const reduced = new Map<string, number>();
  return {
    limit: (webhookId) => reduced.get(webhookId) ?? max,
    observe(webhookId, result) {
      const current = reduced.get(webhookId) ?? max;
      let next = current;
      if (result === 'timeout') next = Math.max(1, Math.floor(current / 2));
      else if (result === 'succeeded') next = current + 1;
      if (next >= max) reduced.delete(webhookId);
      else if (reduced.size < MAX_TRACKED || reduced.has(webhookId)) reduced.set(webhookId, next);
    },
  };
}
