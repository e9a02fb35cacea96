// Managing one's webhooks: create (plan, limit, URL policy, events), read, edit, delete, pause and
// resume (optionally re-sending what was missed), and the signing secret (show, rotate with overlap).
import type { Config } from '../config/load-config.ts';
import type { QueueSignal } from '../db/queue-signal.ts';
import type { Repos } from '../db/repos/index.ts';
import type { Webhook } from '../db/repos/webhooks-repo.ts';
import { AppError, invalidCursor, type PageQuery, validationFailed } from '../domain/errors.ts';
import { EVENT_TYPES, type EventType } from '../domain/event-catalog.ts';
import { newId } from '../domain/ids.ts';
import { generateSigningSecret, type SecretBox } from '../domain/secrets.ts';
import { checkWebhookUrl } from '../domain/url-policy.ts';
import { planAllowsWebhooks } from '../domain/webhook-status.ts';
import { resolveAndCheckHost } from '../engine/destination-guard.ts';
import { type Caller, createOwnership, isWebhookId, webhookNotFound } from './ownership.ts';

/** How long the previous secret keeps signing after a rotation. */
export const SECRET_OVERLAP_MS = 24 * 3_600_000;
export const PAUSED_BY_USER = 'Paused by the owner.';

export interface WebhookInput {
  url: string;
  description?: string | undefined;
  events?: readonly EventType[] | undefined;
}

export interface WebhookPatchInput {
  url?: string | undefined;
  description?: string | undefined;
  events?: readonly EventType[] | undefined;
}

export interface SecretView {
  secret: string;
  /** When the previous secret stops signing; null when there is none (or it has expired). */
  previousSecretExpiresAt: Date | null;
}

export interface WebhooksServiceDeps {
  config: Config;
  repos: Repos;
  secretBox: SecretBox;
  queueSignal: QueueSignal;
}

export const planRequired = (action: string): AppError =>
  new AppError(
    'plan_required',
    `Webhooks need the Pro or Team plan; upgrade to ${action}. Existing webhooks are kept and resume after an upgrade.`,
  );

const urlRefused = (message: string): AppError =>
  new AppError('validation_failed', message, [{ field: 'url', message }]);

/** Subscribed types in catalog order, without duplicates; at least one is required by the schema. */
export const normaliseEvents = (events: readonly string[]): EventType[] =>
  EVENT_TYPES.filter((type) => events.includes(type));

/** Pausing or resuming would turn a development endpoint into one the engine sends to. */
function refuseListening(webhook: Webhook, action: string): void {
  if (webhook.status === 'listening') {
    throw new AppError(
      'conflict',
      `This is a temporary endpoint of \`klang-webhooks listen\`; it cannot be ${action}. Stop the CLI to remove it.`,
    );
  }
}

export function createWebhooksService({ config, repos, secretBox, queueSignal }: WebhooksServiceDeps) {
  const ownership = createOwnership({ repos });

  /** The URL policy, then (public targets only) the addresses its host resolves to; 422 on field url. */
  async function checkUrl(raw: string): Promise<string> {
    const allowPrivate = config.allowPrivateTargets;
    const check = checkWebhookUrl(raw, { allowPrivate });
    if (!check.ok) throw urlRefused(check.message);
    if (!allowPrivate) {
      const host = await resolveAndCheckHost(new URL(check.url).hostname, { allowPrivate });
      if (!host.ok) throw urlRefused(host.message);
    }
    return check.url;
  }

  function secretView(secretEnc: string, previousExpiresAt: number | null, now: number): SecretView {
    return {
      secret: secretBox.open(secretEnc),
      previousSecretExpiresAt:
        previousExpiresAt !== null && previousExpiresAt > now ? new Date(previousExpiresAt) : null,
    };
  }

  return {
    async create(caller: Caller, input: WebhookInput): Promise<{ webhook: Webhook; secret: string }> {
      if (!planAllowsWebhooks(caller.plan)) throw planRequired('create webhooks');
      const url = await checkUrl(input.url);
      const events = normaliseEvents(input.events ?? EVENT_TYPES);
      if (events.length === 0) throw validationFailed('events', 'must name at least one event type');
      const secret = generateSigningSecret();
      const result = await repos.webhooks.create(
        {
          id: newId.webhook(),
          userId: caller.id,
          url,
          description: input.description ?? '',
          events,
          secretEnc: secretBox.seal(secret),
        },
        config.webhooksPerUser,
      );
      if (!result.ok) {
        throw new AppError(
          'webhook_limit_reached',
          `You already have ${config.webhooksPerUser} webhooks, the most one account may have; delete one first.`,
        );
      }
      return { webhook: result.webhook, secret };
    },

    /** One page of the caller's webhooks, oldest first; `cursor` is the previous page's last id. */
    async page(caller: Caller, query: PageQuery): Promise<{ items: Webhook[]; nextCursor: string | null }> {
      if (query.cursor !== undefined && !isWebhookId(query.cursor)) throw invalidCursor();
      const { items, more } = await repos.webhooks.page(caller.id, {
        after: query.cursor,
        limit: query.limit,
      });
      return { items, nextCursor: more ? (items.at(-1)?.id ?? null) : null };
    },

    get: (caller: Caller, id: string) => ownership.requireWebhook(caller, id),

    async update(caller: Caller, id: string, patch: WebhookPatchInput): Promise<Webhook> {
      await ownership.requireWebhook(caller, id);
      const url = patch.url === undefined ? undefined : await checkUrl(patch.url);
      const events = patch.events === undefined ? undefined : normaliseEvents(patch.events);
      if (events?.length === 0) throw validationFailed('events', 'must name at least one event type');
      const updated = await repos.webhooks.update(caller.id, id, {
        url,
        description: patch.description,
        events,
      });
      if (!updated) throw webhookNotFound();
      return updated;
    },

    async remove(caller: Caller, id: string): Promise<void> {
      await ownership.requireWebhook(caller, id);
      await repos.webhooks.remove(caller.id, id);
    },

    async pause(caller: Caller, id: string): Promise<Webhook> {
      refuseListening(await ownership.requireWebhook(caller, id), 'paused');
      const paused = await repos.webhooks.pause(caller.id, id, PAUSED_BY_USER);
      if (!paused) throw webhookNotFound();
      return paused;
    },

    /** Resumes; with sendMissed the deliveries missed while paused are queued again. */
    async resume(
      caller: Caller,
      id: string,
      sendMissed: boolean,
    ): Promise<{ webhook: Webhook; requeued: number }> {
      refuseListening(await ownership.requireWebhook(caller, id), 'resumed');
      const webhook = await repos.webhooks.resume(caller.id, id);
      if (!webhook) throw webhookNotFound();
      const requeued = sendMissed ? await repos.deliveries.requeueMissed(id) : 0;
      // Retries that came due while paused are due now.
      queueSignal.notify();
      return { webhook, requeued };
    },

    async getSecret(caller: Caller, id: string, now = Date.now()): Promise<SecretView> {
      await ownership.requireWebhook(caller, id);
      const sealed = await repos.webhooks.getSecrets(caller.id, id);
      if (!sealed) throw webhookNotFound();
      return secretView(sealed.secretEnc, sealed.previousSecretExpiresAt, now);
    },

    async rotateSecret(caller: Caller, id: string, now = Date.now()): Promise<SecretView> {
      await ownership.requireWebhook(caller, id);
      const secret = generateSigningSecret();
      const expiresAt = now + SECRET_OVERLAP_MS;
      const rotated = await repos.webhooks.rotateSecret(
        caller.id,
        id,
        secretBox.seal(secret),
        expiresAt,
        now,
      );
      if (!rotated) throw webhookNotFound();
      return { secret, previousSecretExpiresAt: new Date(expiresAt) };
    },
  };
}

export type WebhooksService = ReturnType<typeof createWebhooksService>;
