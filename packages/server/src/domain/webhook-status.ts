// Webhook status rules: the status users see, derived from the stored status and the owner's plan.

export type Plan = 'free' | 'pro' | 'team';
export type StoredWebhookStatus = 'active' | 'paused' | 'auto_paused';
export type WebhookStatus = StoredWebhookStatus | 'disabled_plan';

export const PLANS: readonly Plan[] = ['free', 'pro', 'team'];

/** Only pro and team users may own working webhooks and receive deliveries. */
export const planAllowsWebhooks = (plan: Plan): boolean => plan === 'pro' || plan === 'team';

/** A downgraded owner's webhooks show `disabled_plan` whatever their stored status. */
export function effectiveStatus(stored: StoredWebhookStatus, ownerPlan: Plan): WebhookStatus {
  return planAllowsWebhooks(ownerPlan) ? stored : 'disabled_plan';
}
