// JSON views of webhooks, attempts and stats as CONTRACT.md names them (times as ISO strings).
import type { AttemptDetail, AttemptSummary } from '../../../db/repos/attempts-repo.ts';
import type { HourBucket, WindowStats } from '../../../db/repos/stats-repo.ts';
import type { Webhook } from '../../../db/repos/webhooks-repo.ts';
import type { EventType } from '../../../domain/event-catalog.ts';
import { sentHeaders } from '../../../domain/request-headers.ts';
import { effectiveStatus, type Plan } from '../../../domain/webhook-status.ts';
import { USER_AGENT } from '../../../engine/user-agent.ts';
import type { WebhookStats } from '../../../services/delivery-log.ts';

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

export const webhookView = (webhook: Webhook, ownerPlan: Plan, autoPauseAfter: number) => ({
  id: webhook.id,
  url: webhook.url,
  description: webhook.description,
  events: webhook.events as EventType[],
  status: effectiveStatus(webhook.status, ownerPlan),
  status_reason: webhook.statusReason,
  status_changed_at: iso(webhook.statusChangedAt),
  consecutive_failures: webhook.consecutiveFailures,
  auto_pause_after: autoPauseAfter,
  created_at: webhook.createdAt.toISOString(),
  updated_at: webhook.updatedAt.toISOString(),
});

const bucketView = (bucket: HourBucket) => ({
  hour: new Date(bucket.hour).toISOString(),
  succeeded: bucket.succeeded,
  failed: bucket.failed,
});

export const activityView = (stats: WindowStats) => ({
  succeeded: stats.succeeded,
  failed: stats.failed,
  buckets: stats.buckets.map(bucketView),
});

export const statsView = (stats: WebhookStats) => ({
  delivered: stats.delivered,
  failed: stats.failed,
  attempts: stats.attempts,
  error_rate: stats.errorRate,
  avg_response_ms: stats.avgResponseMs,
  p50_response_ms: stats.p50ResponseMs,
  p95_response_ms: stats.p95ResponseMs,
  failures_by_kind: stats.failuresByKind,
  activity: stats.activity.map(bucketView),
});

export const attemptView = (attempt: AttemptSummary) => ({
  id: attempt.id,
  delivery_id: attempt.deliveryId,
  event_id: attempt.eventId,
  event_type: attempt.eventType,
  attempt: attempt.attempt,
  test: attempt.test,
  outcome: attempt.outcome,
  response_status: attempt.responseStatus,
  error: attempt.error,
  error_message: attempt.errorMessage,
  duration_ms: attempt.durationMs,
  created_at: attempt.createdAt.toISOString(),
  next_retry_at: iso(attempt.nextRetryAt),
  delivery_status: attempt.deliveryStatus,
  delivery_status_reason: attempt.deliveryStatusReason,
});

export const attemptDetailView = (attempt: AttemptDetail) => ({
  ...attemptView(attempt),
  request: { headers: sentHeaders(USER_AGENT, attempt.request), body: attempt.requestBody },
  response: {
    status: attempt.responseStatus,
    headers: attempt.responseHeaders,
    body: attempt.responseBody,
    body_base64: attempt.responseBodyBase64,
    truncated: attempt.responseTruncated,
  },
});
