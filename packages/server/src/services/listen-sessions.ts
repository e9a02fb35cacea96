// Development endpoints for `klang-webhooks listen`: a webhook in status `listening` whose deliveries
// the engine never sends; the CLI's stream takes them here, signed as production signs them, and the
// CLI reports what its local receiver answered, which becomes the attempt in the log.
import type { Repos } from '../db/repos/index.ts';
import type { StreamedDelivery } from '../db/repos/listen-repo.ts';
import type { Webhook } from '../db/repos/webhooks-repo.ts';
import { type AttemptError, type AttemptOutcome, outcomeFromResponse } from '../domain/attempt-outcome.ts';
import { AppError } from '../domain/errors.ts';
import { EVENT_TYPES, type EventType } from '../domain/event-catalog.ts';
import { newId } from '../domain/ids.ts';
import { deliveryHeaders } from '../domain/request-headers.ts';
import { storedBody } from '../domain/response-body.ts';
import { generateSigningSecret, type SecretBox } from '../domain/secrets.ts';
import { planAllowsWebhooks } from '../domain/webhook-status.ts';
import { signatureHeaders } from '../engine/signing.ts';
import { USER_AGENT } from '../engine/user-agent.ts';
import { type Caller, createOwnership } from './ownership.ts';
import { normaliseEvents, planRequired } from './webhooks.ts';

/** How long a streamed delivery waits for the CLI's report before it is streamed again. */
export const LISTEN_LEASE_MS = 60_000;

export interface StreamedEvent {
  delivery_id: string;
  event_id: string;
  type: string;
  test: boolean;
  attempt: number;
  headers: Record<string, string>;
  body: string;
}

/** What the CLI reports: the local answer (its body cut by the CLI), or why there was none. */
export interface LocalResult {
  request_headers: Record<string, string>;
  status?: number | undefined;
  headers?: Record<string, string> | undefined;
  body_base64?: string | undefined;
  truncated?: boolean | undefined;
  error?: 'timeout' | 'connection_refused' | 'network_error' | undefined;
  message?: string | undefined;
  duration_ms: number;
}

export interface ListenSessionsDeps {
  config: { webhooksPerUser: number };
  repos: Repos;
  secretBox: SecretBox;
}

const holderOf = (webhookId: string) => `listen:${webhookId}`;
const sessionNotFound = () =>
  new AppError('webhook_not_found', 'There is no listen session with this id in your account.');

const notWaiting = () =>
  new AppError(
    'delivery_not_found',
    'This listen session has no delivery waiting for a result with this id.',
  );

function outcomeOf(result: LocalResult): AttemptOutcome {
  const durationMs = Math.max(0, Math.round(result.duration_ms));
  if (result.status === undefined) {
    const error: AttemptError = result.error ?? 'network_error';
    return { outcome: 'failed', error, message: result.message ?? error, durationMs };
  }
  const body = storedBody(Buffer.from(result.body_base64 ?? '', 'base64'), result.truncated ?? false);
  const response = {
    status: result.status,
    headers: result.headers ?? {},
    body: body.text,
    bodyEncoding: body.encoding,
    truncated: result.truncated ?? false,
  };
  return outcomeFromResponse(response, durationMs);
}

export function createListenSessionsService({ config, repos, secretBox }: ListenSessionsDeps) {
  const ownership = createOwnership({ repos });

  async function requireSession(caller: Caller, id: string): Promise<Webhook> {
    const webhook = await ownership.requireWebhook(caller, id).catch(() => undefined);
    if (webhook?.status !== 'listening') throw sessionNotFound();
    return webhook;
  }

  async function sign(caller: Caller, webhookId: string, delivery: StreamedDelivery, now: number) {
    const sealed = await repos.webhooks.getSecrets(caller.id, webhookId);
    if (!sealed) throw sessionNotFound();
    const secrets = {
      current: secretBox.open(sealed.secretEnc),
      previous: sealed.previousSecretEnc ? secretBox.open(sealed.previousSecretEnc) : null,
      previousExpiresAt: sealed.previousSecretExpiresAt,
    };
    return {
      ...deliveryHeaders(USER_AGENT, delivery.eventId),
      ...signatureHeaders(secrets, delivery.eventId, delivery.payload, now),
    };
  }

  return {
    /** Creates the development endpoint; the answer carries its signing secret. */
    async open(
      caller: Caller,
      input: { events?: readonly EventType[] | undefined; forwardTo?: string | undefined },
    ) {
      if (!planAllowsWebhooks(caller.plan)) throw planRequired('listen for events');
      const events = normaliseEvents(input.events ?? EVENT_TYPES);
      const secret = generateSigningSecret();
      const id = newId.webhook();
      const result = await repos.webhooks.create(
        {
          id,
          userId: caller.id,
          url: `listen:${id}`,
          description: `klang-webhooks listen${input.forwardTo ? ` → ${input.forwardTo}` : ''}`,
          events,
          secretEnc: secretBox.seal(secret),
          status: 'listening',
        },
        config.webhooksPerUser,
      );
      if (!result.ok) {
        throw new AppError(
          'webhook_limit_reached',
          `You already have ${config.webhooksPerUser} webhooks; delete one first.`,
        );
      }
      return { webhook: result.webhook, secret };
    },

    requireSession,

    /** Leases what is due for the session and signs each delivery for this attempt. */
    async take(caller: Caller, id: string, now = Date.now()): Promise<StreamedEvent[]> {
      const leased = await repos.listen.leaseDue(id, holderOf(id), now, LISTEN_LEASE_MS);
      const events: StreamedEvent[] = [];
      for (const delivery of leased) {
        events.push({
          delivery_id: delivery.deliveryId,
          event_id: delivery.eventId,
          type: delivery.eventType,
          test: delivery.test,
          attempt: delivery.attempts + 1,
          headers: await sign(caller, id, delivery, now),
          body: delivery.payload,
        });
      }
      return events;
    },

    /** Records the local answer as the delivery's attempt (the headers are those streamed). */
    async report(
      caller: Caller,
      id: string,
      deliveryId: string,
      result: LocalResult,
      now = Date.now(),
    ): Promise<AttemptOutcome> {
      await requireSession(caller, id);
      const delivery = await repos.listen.leased(id, deliveryId, holderOf(id));
      if (!delivery) throw notWaiting();
      const outcome = outcomeOf(result);
      const response = outcome.response;
      const finished = await repos.listen.finish(
        deliveryId,
        holderOf(id),
        {
          deliveryStatus: outcome.outcome,
          row: {
            id: newId.attempt(),
            delivery_id: deliveryId,
            webhook_id: id,
            event_id: delivery.eventId,
            event_type: delivery.eventType,
            attempt: delivery.attempts + 1,
            test: delivery.test ? 1 : 0,
            outcome: outcome.outcome,
            error: outcome.outcome === 'failed' ? outcome.error : null,
            error_message: outcome.outcome === 'failed' ? outcome.message : null,
            response_status: response?.status ?? null,
            duration_ms: outcome.durationMs,
            request_headers: JSON.stringify(result.request_headers),
            response_headers: response ? JSON.stringify(response.headers) : null,
            response_body: response?.body ?? null,
            response_body_encoding: response?.bodyEncoding ?? 'utf8',
            response_truncated: response?.truncated ? 1 : 0,
            next_retry_at: null,
            created_at: now,
          },
        },
        now,
      );
      if (!finished) throw notWaiting();
      return outcome;
    },

    async close(caller: Caller, id: string): Promise<void> {
      await requireSession(caller, id);
      await repos.webhooks.remove(caller.id, id);
    },
  };
}

export type ListenSessionsService = ReturnType<typeof createListenSessionsService>;
