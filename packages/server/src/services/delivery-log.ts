// What a webhook's owner sees of its deliveries: the attempt log (filters, cursor pages), one attempt
// in full, the last-24-hours stats, and resending a delivery by hand.
import type { QueueSignal } from '../db/queue-signal.ts';
import type { AttemptDetail, AttemptSummary } from '../db/repos/attempts-repo.ts';
import type { Repos } from '../db/repos/index.ts';
import type { HourBucket } from '../db/repos/stats-repo.ts';
import { AppError, invalidCursor } from '../domain/errors.ts';
import type { FailureKind } from '../domain/failure-kind.ts';
import { responsePercentile } from '../domain/response-histogram.ts';
import { type Caller, createOwnership, isAttemptId, isDeliveryId } from './ownership.ts';

export interface AttemptFilter {
  status?: 'succeeded' | 'failed' | undefined;
  type?: string | undefined;
  eventId?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

export interface AttemptPage {
  items: AttemptSummary[];
  nextCursor: string | null;
}

export interface WebhookStats {
  delivered: number;
  failed: number;
  attempts: number;
  /** failed ÷ attempts, 0 when there were none. */
  errorRate: number;
  /** Mean over attempts that got a response; null when none did. */
  avgResponseMs: number | null;
  /** Median and 95th percentile of the same responses, from the histogram; null when none. */
  p50ResponseMs: number | null;
  p95ResponseMs: number | null;
  failuresByKind: Record<FailureKind, number>;
  activity: HourBucket[];
}

export const STATS_HOURS = 24;

export function createDeliveryLogService({ repos, queueSignal }: { repos: Repos; queueSignal: QueueSignal }) {
  const ownership = createOwnership({ repos });

  return {
    async listAttempts(caller: Caller, webhookId: string, filter: AttemptFilter): Promise<AttemptPage> {
      await ownership.requireWebhook(caller, webhookId);
      if (filter.cursor !== undefined && !isAttemptId(filter.cursor)) {
        throw invalidCursor();
      }
      const { items, more } = await repos.attempts.list(webhookId, {
        outcome: filter.status,
        eventType: filter.type,
        eventId: filter.eventId,
        before: filter.cursor,
        limit: filter.limit,
      });
      return { items, nextCursor: more ? (items.at(-1)?.id ?? null) : null };
    },

    async getAttempt(caller: Caller, webhookId: string, attemptId: string): Promise<AttemptDetail> {
      await ownership.requireWebhook(caller, webhookId);
      const attempt = isAttemptId(attemptId) ? await repos.attempts.get(webhookId, attemptId) : undefined;
      if (!attempt) throw new AppError('attempt_not_found', 'This webhook has no attempt with this id.');
      return attempt;
    },

    /** Queues one more attempt of the delivery (same event id, so the same webhook-id header). */
    async resend(caller: Caller, webhookId: string, deliveryId: string): Promise<void> {
      await ownership.requireWebhook(caller, webhookId);
      const result = isDeliveryId(deliveryId)
        ? await repos.deliveries.resend(webhookId, deliveryId)
        : 'not_found';
      if (result === 'not_found') {
        throw new AppError('delivery_not_found', 'This webhook has no delivery with this id.');
      }
      if (result === 'in_progress') {
        throw new AppError(
          'conflict',
          'An attempt of this delivery is in progress; resend it once it has finished.',
        );
      }
      queueSignal.notify();
    },

    async stats(caller: Caller, webhookId: string, now = Date.now()): Promise<WebhookStats> {
      await ownership.requireWebhook(caller, webhookId);
      const window = (await repos.stats.window([webhookId], STATS_HOURS, now)).get(webhookId)!;
      const attempts = window.succeeded + window.failed;
      const meanMs = window.responseCount === 0 ? undefined : window.responseMsSum / window.responseCount;
      return {
        delivered: window.succeeded,
        failed: window.failed,
        attempts,
        errorRate: attempts === 0 ? 0 : window.failed / attempts,
        avgResponseMs: meanMs === undefined ? null : Math.round(meanMs),
        p50ResponseMs: responsePercentile(window.responseBuckets, 0.5, meanMs),
        p95ResponseMs: responsePercentile(window.responseBuckets, 0.95, meanMs),
        failuresByKind: window.failuresByKind,
        activity: window.buckets,
      };
    },

    /** 24-hour buckets of several webhooks at once (for the list page). */
    async activity(webhookIds: readonly string[], now = Date.now()) {
      return repos.stats.window(webhookIds, STATS_HOURS, now);
    },
  };
}

export type DeliveryLogService = ReturnType<typeof createDeliveryLogService>;
