// For free-plan users, in place of Create webhook: webhooks come with the Pro and Team plans.
import { Alert, Text } from '@mantine/core';
import { IconSparkles } from '@tabler/icons-react';

export function UpgradeNotice() {
  return (
    <Alert
      variant="light"
      color="indigo"
      icon={<IconSparkles size={20} />}
      title="Webhooks are available on the Pro and Team plans"
      role="note"
    >
      <Text size="sm">
        Upgrade your Klang plan to send events to your own systems when a meeting is processed, fails or is
        deleted. Webhooks you created before keep their settings and history, and start receiving again after
        an upgrade.
      </Text>
    </Alert>
  );
}
