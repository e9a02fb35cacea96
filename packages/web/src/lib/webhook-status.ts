// Status of a webhook as the pages show it: badge label and colour, and the warning while it fails.
import type { Webhook } from '../api/client.ts';

export type WebhookStatus = Webhook['status'];

const LABELS: Record<WebhookStatus, { label: string; color: string }> = {
  active: { label: 'Active', color: 'teal' },
  paused: { label: 'Paused', color: 'gray' },
  auto_paused: { label: 'Auto-paused', color: 'red' },
  disabled_plan: { label: 'Disabled: plan', color: 'yellow' },
  listening: { label: 'Listening (CLI)', color: 'blue' },
};

export const statusLabel = (status: WebhookStatus): string => LABELS[status].label;
export const statusColor = (status: WebhookStatus): string => LABELS[status].color;

/** True while the webhook is failing but not yet paused: the page warns before the auto-pause. */
export const isFailing = (webhook: Pick<Webhook, 'status' | 'consecutive_failures'>): boolean =>
  webhook.status === 'active' && webhook.consecutive_failures > 0;

/** "9 consecutive failures — Klang pauses this webhook after 25" */
export function failingMessage(webhook: Pick<Webhook, 'consecutive_failures' | 'auto_pause_after'>): string {
  const n = webhook.consecutive_failures;
  const noun = n === 1 ? 'failure' : 'failures';
  return `${n} consecutive ${noun} — Klang pauses this webhook after ${webhook.auto_pause_after}`;
}
