// A webhook's status as a badge: Active, Paused, Auto-paused or Disabled: plan.
import { Badge } from '@mantine/core';
import { statusColor, statusLabel, type WebhookStatus } from '../lib/webhook-status.ts';

export function StatusBadge({ status, size = 'md' }: { status: WebhookStatus; size?: 'sm' | 'md' | 'lg' }) {
  return (
    <Badge
      color={statusColor(status)}
      variant="light"
      size={size}
      radius="sm"
      style={{ flexShrink: 0, maxWidth: 'none' }}
    >
      {statusLabel(status)}
    </Badge>
  );
}
