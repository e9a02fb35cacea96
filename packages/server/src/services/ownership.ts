// The ownership rule of the user API: a webhook is found only by its owner. Anything else — another
// user's webhook, an unknown or malformed id — is the same 404, so ids reveal nothing.
import type { Repos } from '../db/repos/index.ts';
import type { Webhook } from '../db/repos/webhooks-repo.ts';
import { AppError } from '../domain/errors.ts';
import type { Plan } from '../domain/webhook-status.ts';

/** The signed-in user a use case acts for. */
export interface Caller {
  id: string;
  plan: Plan;
}

const ULID_BODY = '[0-9a-z]{26}';
const WEBHOOK_ID = new RegExp(`^wh_${ULID_BODY}$`);
const ATTEMPT_ID = new RegExp(`^att_${ULID_BODY}$`);
const DELIVERY_ID = new RegExp(`^dlv_${ULID_BODY}$`);

export const isWebhookId = (id: string): boolean => WEBHOOK_ID.test(id);
export const isAttemptId = (id: string): boolean => ATTEMPT_ID.test(id);
export const isDeliveryId = (id: string): boolean => DELIVERY_ID.test(id);

export const webhookNotFound = (): AppError =>
  new AppError('webhook_not_found', 'There is no webhook with this id in your account.');

export function createOwnership({ repos }: { repos: Repos }) {
  return {
    /** The caller's webhook, or 404 webhook_not_found (never 403: existence is not disclosed). */
    async requireWebhook(caller: Caller, id: string): Promise<Webhook> {
      const webhook = isWebhookId(id) ? await repos.webhooks.get(caller.id, id) : undefined;
      if (!webhook) throw webhookNotFound();
      return webhook;
    },
  };
}

export type Ownership = ReturnType<typeof createOwnership>;
