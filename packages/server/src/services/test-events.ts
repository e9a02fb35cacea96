// Test events: an `evt_test_…` event of the real payload schema, referencing the sample conversation,
// queued for one webhook only and delivered and signed like a real one (its attempts say test: true);
// at most `testEventsPerMinute` per webhook (429 rate_limited with Retry-After beyond).
import type { Config } from '../config/load-config.ts';
import type { QueueSignal } from '../db/queue-signal.ts';
import type { Repos } from '../db/repos/index.ts';
import { AppError, validationFailed } from '../domain/errors.ts';
import { buildPayload, isEventType, SAMPLE_CONVERSATION } from '../domain/event-catalog.ts';
import { newId } from '../domain/ids.ts';
import { planAllowsWebhooks, receivesEvents } from '../domain/webhook-status.ts';
import { createFailureThrottle } from './limiters.ts';
import { type Caller, createOwnership, webhookNotFound } from './ownership.ts';
import { planRequired } from './webhooks.ts';

export interface SentTestEvent {
  eventId: string;
  deliveryId: string;
}

export interface TestEventsDeps {
  config: Pick<Config, 'testEventsPerMinute'>;
  repos: Repos;
  queueSignal: QueueSignal;
  now?: () => number;
}

export function createTestEventsService({ config, repos, queueSignal, now = Date.now }: TestEventsDeps) {
  const ownership = createOwnership({ repos });
  // A sliding window: the throttle counts every test event sent, not only failures.
  const sent = createFailureThrottle({ max: config.testEventsPerMinute, windowMs: 60_000 });

  /** Counts one test event of the webhook; throws 429 once its last minute's allowance is used. */
  function admit(webhookId: string): void {
    const at = now();
    const waitMs = sent.retryAfterMs(webhookId, at);
    if (waitMs === 0) {
      sent.recordFailure(webhookId, at);
      return;
    }
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    throw new AppError(
      'rate_limited',
      `This webhook was sent ${config.testEventsPerMinute} test events in the last minute; try again in ${seconds} s.`,
      undefined,
      { 'retry-after': String(seconds) },
    );
  }

  return {
    /** `type` may be left out only when the webhook subscribes to exactly one event type. */
    async send(caller: Caller, webhookId: string, type: string | undefined): Promise<SentTestEvent> {
      const webhook = await ownership.requireWebhook(caller, webhookId);
      if (!planAllowsWebhooks(caller.plan)) throw planRequired('send test events');
      if (!receivesEvents(webhook.status)) {
        // Nothing is sent to a paused webhook; a test event would wait silently until resume.
        throw new AppError('webhook_paused', 'This webhook is paused; resume it to send a test event.');
      }
      const subscribed = webhook.events.join(', ');
      if (type === undefined && webhook.events.length !== 1) {
        throw validationFailed(
          'type',
          `is required when the webhook subscribes to several event types: ${subscribed}`,
        );
      }
      const chosen = type ?? webhook.events[0];
      if (!isEventType(chosen) || !webhook.events.includes(chosen)) {
        throw validationFailed('type', `must be one of the webhook's event types: ${subscribed}`);
      }
      admit(webhook.id);
      const id = newId.testEvent();
      const createdAt = new Date();
      const payload = buildPayload({ id, type: chosen, createdAt, conversation: SAMPLE_CONVERSATION });
      const deliveryId = await repos.events.publishTest(
        {
          id,
          type: chosen,
          conversationId: null,
          payload: JSON.stringify(payload),
          test: true,
          createdAt: createdAt.getTime(),
        },
        webhook.id,
      );
      if (deliveryId === undefined) throw webhookNotFound(); // deleted meanwhile
      queueSignal.notify();
      return { eventId: id, deliveryId };
    },
  };
}

export type TestEventsService = ReturnType<typeof createTestEventsService>;
