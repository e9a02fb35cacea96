// Banners at the top of the detail page: auto-paused (why, since when, Resume), failing but not yet
// paused, and disabled by the owner's plan.
import { Alert, Button, Group, Text } from '@mantine/core';
import { IconAlertTriangle, IconPlayerPause, IconSparkles } from '@tabler/icons-react';
import type { Webhook } from '../api/client.ts';
import { failingMessage, isFailing } from '../lib/webhook-status.ts';
import { TimeText } from './time-text.tsx';

export function WebhookBanners({ webhook, onResume }: { webhook: Webhook; onResume(): void }) {
  if (webhook.status === 'auto_paused') {
    return (
      <Alert
        color="red"
        variant="light"
        icon={<IconPlayerPause size={20} />}
        title="This webhook was paused automatically"
        role="alert"
      >
        <Group justify="space-between" wrap="nowrap" gap="lg">
          <Text size="sm" component="div">
            {webhook.status_reason ?? 'Too many consecutive failed deliveries.'} Since{' '}
            {webhook.status_changed_at ? <TimeText iso={webhook.status_changed_at} span fw={600} /> : 'then'},
            no events are sent; new ones are recorded as missed. Fix your endpoint, then resume.
          </Text>
          <Button color="red.8" variant="filled" size="xs" onClick={onResume} style={{ flexShrink: 0 }}>
            Resume
          </Button>
        </Group>
      </Alert>
    );
  }
  if (isFailing(webhook)) {
    return (
      <Alert
        color="orange"
        variant="light"
        icon={<IconAlertTriangle size={20} />}
        role="status"
        title={failingMessage(webhook)}
      >
        <Text size="sm">
          Recent deliveries failed. Open a failed attempt below to see what your endpoint answered; a
          successful delivery resets the count.
        </Text>
      </Alert>
    );
  }
  if (webhook.status === 'disabled_plan') {
    return (
      <Alert color="yellow" variant="light" icon={<IconSparkles size={20} />} title="Disabled: plan">
        <Text size="sm">
          Your plan no longer includes webhooks, so Klang sends nothing to this one. Upgrade to Pro or Team
          and it starts receiving again with its settings unchanged.
        </Text>
      </Alert>
    );
  }
  return null;
}
