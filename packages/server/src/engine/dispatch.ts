// One attempt of one claimed delivery: check eligibility (on the context read by the claim, or read
// again when the caller says it may be stale), then send it through the guarded client, which signs
// it where it sends. Returns a value — it never throws for HTTP failures; the caller holds the lease.
import type { ClaimedDelivery, QueueRepo, SendContext } from '../db/repos/queue-repo.ts';
import type { AttemptOutcome } from '../domain/attempt-outcome.ts';
import { deliveryHeaders } from '../domain/request-headers.ts';
import type { SecretBox } from '../domain/secrets.ts';
import { planAllowsWebhooks } from '../domain/webhook-status.ts';
import type { HttpClient } from './http-client.ts';
import { type SigningSecrets, signingAt } from './signing.ts';
import { USER_AGENT } from './user-agent.ts';

export type DispatchResult =
  /** An attempt was made (or prepared and failed before sending); record it. */
  | { kind: 'attempt'; outcome: AttemptOutcome; signature: string | null; startedAt: number }
  /** The delivery must end without sending: the owner lost access or plan. */
  | { kind: 'cancel'; reason: 'access_revoked' | 'plan_inactive' }
  /** The webhook is paused: give the delivery back to the queue untouched. */
  | { kind: 'wait'; reason: 'webhook_paused' }
  /** The webhook no longer exists (its deliveries went with it). */
  | { kind: 'gone' };

export interface DispatchDeps {
  queue: Pick<QueueRepo, 'sendContext'>;
  secretBox: SecretBox;
  http: HttpClient;
  now?: () => number;
}

/** Why the delivery may not be sent now, or undefined when it may. */
function ineligibility(
  context: SendContext,
): Exclude<DispatchResult, { kind: 'attempt' | 'gone' }> | undefined {
  if (context.status !== 'active') return { kind: 'wait', reason: 'webhook_paused' };
  if (!planAllowsWebhooks(context.plan)) return { kind: 'cancel', reason: 'plan_inactive' };
  if (!context.hasAccess) return { kind: 'cancel', reason: 'access_revoked' };
  return undefined;
}

/** Opened secrets per box, keyed by the sealed value (a rotation seals a new one); bounded, never logged. */
const opened = new WeakMap<SecretBox, Map<string, string>>();
const OPENED_MAX = 10_000;

function open(secretBox: SecretBox, sealed: string): string {
  let cache = opened.get(secretBox);
  if (!cache) {
    cache = new Map();
    opened.set(secretBox, cache);
  }
  const hit = cache.get(sealed);
  if (hit !== undefined) return hit;
  const secret = secretBox.open(sealed);
  if (cache.size >= OPENED_MAX) cache.clear();
  cache.set(sealed, secret);
  return secret;
}

function openSecrets(secretBox: SecretBox, context: SendContext): SigningSecrets {
  return {
    current: open(secretBox, context.secretEnc),
    previous: context.previousSecretEnc ? open(secretBox, context.previousSecretEnc) : null,
    previousExpiresAt: context.previousSecretExpiresAt,
  };
}

/** The webhook as the claim read it, or as it is now when `recheck` (test events: no access check). */
async function currentContext(
  deps: DispatchDeps,
  delivery: ClaimedDelivery,
  recheck: boolean,
): Promise<SendContext | undefined> {
  if (!recheck) return delivery.context;
  return deps.queue.sendContext(delivery.webhookId, delivery.test ? null : delivery.conversationId);
}

export async function dispatch(
  deps: DispatchDeps,
  delivery: ClaimedDelivery,
  recheck = false,
): Promise<DispatchResult> {
  const context = await currentContext(deps, delivery, recheck);
  if (!context) return { kind: 'gone' };
  const blocked = ineligibility(context);
  if (blocked) return blocked;

  const startedAt = (deps.now ?? Date.now)();
  let secrets: SigningSecrets;
  try {
    secrets = openSecrets(deps.secretBox, context);
  } catch {
    return {
      kind: 'attempt',
      startedAt,
      signature: null,
      outcome: {
        outcome: 'failed',
        error: 'internal_error',
        message: 'The signing secret cannot be decrypted (was KLANG_SECRET_KEY changed?); nothing was sent.',
        durationMs: 0,
      },
    };
  }
  // Signed where it is sent (on the send thread): the signature comes back with the outcome.
  const signing = signingAt(secrets, delivery.eventId, startedAt);
  const unsigned = {
    ...deliveryHeaders(USER_AGENT, delivery.eventId),
    'webhook-timestamp': String(signing.timestamp),
  };
  const sent = await deps.http.sendSigned(
    { url: context.url, headers: unsigned, body: delivery.payload },
    signing,
  );
  return { kind: 'attempt', outcome: sent.outcome, signature: sent.signature, startedAt };
}
