// Webhook status rules: the status users see, derived from the stored status and the owner's plan.

export type Plan = 'free' | 'pro' | 'team';
/** `listening`: a temporary development endpoint of `klang-webhooks listen`, streamed to the CLI, never sent over HTTP. */
export type StoredWebhookStatus = 'active' | 'paused' | 'auto_paused' | 'listening';
export type WebhookStatus = StoredWebhookStatus | 'disabled_plan';

export const PLANS: readonly Plan[] = ['free', 'pro', 'team'];

/** Only pro and team users may own working webhooks and receive deliveries. */
export const planAllowsWebhooks = (plan: Plan): boolean => plan === 'pro' || plan === 'team';

/** Events fan out to it as pending deliveries (else they are recorded as missed). */
export const receivesEvents = (status: StoredWebhookStatus): boolean =>
  status === 'active' || status === 'listening';

/** A downgraded owner's webhooks show `disabled_plan` whatever their stored status. */
export function effectiveStatus(stored: StoredWebhookStatus, ownerPlan: Plan): WebhookStatus {
  return planAllowsWebhooks(ownerPlan) ? stored : 'disabled_plan';
}
