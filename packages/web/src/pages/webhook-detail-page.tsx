// A webhook's page: status and URL with Receiving events, Send test event and Edit at the top, the
// banners, the signing secret, the 24-hour stats and the latest deliveries.
import {
  Alert,
  Button,
  Center,
  Code,
  Group,
  Loader,
  Paper,
  Skeleton,
  Stack,
  Switch,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconEdit } from '@tabler/icons-react';
import { lazy, Suspense, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { ApiError, type Webhook } from '../api/client.ts';
import { useStats } from '../api/use-deliveries.ts';
import { useEventTypes } from '../api/use-event-types.ts';
import { usePauseWebhook, useWebhook } from '../api/use-webhooks.ts';
import { DeliveriesPanel } from '../components/deliveries-panel.tsx';
import { EditWebhookDialog } from '../components/edit-webhook-dialog.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { ResumeDialog } from '../components/resume-dialog.tsx';
import { SecretPanel } from '../components/secret-panel.tsx';
import { SendTestButton } from '../components/send-test-button.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { WebhookBanners } from '../components/webhook-banners.tsx';
import { shortUrl } from '../lib/format.ts';
import { WEBHOOKS_PATH } from '../lib/paths.ts';

// The chart library is the largest part of the UI: loaded with the first detail page, not at sign-in.
const StatsPanel = lazy(() =>
  import('../components/stats-panel.tsx').then((m) => ({ default: m.StatsPanel })),
);

function ReceivingSwitch({ webhook, onResume }: { webhook: Webhook; onResume(): void }) {
  const pause = usePauseWebhook();
  const receiving = webhook.status === 'active';
  return (
    <Switch
      label="Receiving events"
      size="md"
      checked={receiving}
      disabled={webhook.status === 'disabled_plan' || pause.isPending}
      onChange={(e) => {
        if (e.currentTarget.checked) onResume();
        else
          pause.mutate(webhook.id, {
            onError: (error) => notifications.show({ color: 'red', message: error.message }),
          });
      }}
    />
  );
}

function Detail({ webhook }: { webhook: Webhook }) {
  const stats = useStats(webhook.id);
  const eventTypes = useEventTypes();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [resuming, setResuming] = useState(false);
  const subscribed = (eventTypes.data ?? []).filter((e) => webhook.events.includes(e.type));

  return (
    <>
      <PageHeader
        current={shortUrl(webhook.url)}
        title={
          <Group gap="sm" wrap="nowrap">
            <Tooltip label={webhook.url} multiline maw={560} style={{ wordBreak: 'break-all' }}>
              <Title order={1} fz={22} className="mono" style={{ minWidth: 0 }} lineClamp={1}>
                {shortUrl(webhook.url)}
              </Title>
            </Tooltip>
            <StatusBadge status={webhook.status} size="lg" />
          </Group>
        }
        description={
          <Stack gap={6}>
            {webhook.description && (
              <Text size="sm" c="dimmed">
                {webhook.description}
              </Text>
            )}
            <Group gap={6}>
              {webhook.events.map((type) => (
                <Code key={type} fz="xs">
                  {type}
                </Code>
              ))}
            </Group>
          </Stack>
        }
        actions={
          <>
            <Button variant="default" leftSection={<IconEdit size={16} />} onClick={() => setEditing(true)}>
              Edit
            </Button>
            <SendTestButton webhook={webhook} />
          </>
        }
      />
      <Stack gap="lg">
        <Paper withBorder radius="lg" p="md">
          <Group justify="space-between">
            <ReceivingSwitch webhook={webhook} onResume={() => setResuming(true)} />
            <Text size="sm" c="dimmed">
              {webhook.status === 'active'
                ? 'Klang sends new events to this URL.'
                : webhook.status === 'disabled_plan'
                  ? 'Nothing is sent while your plan does not include webhooks.'
                  : 'Paused: new events are recorded as missed, not sent.'}
            </Text>
          </Group>
        </Paper>
        <WebhookBanners webhook={webhook} onResume={() => setResuming(true)} />
        <SecretPanel webhookId={webhook.id} />
        <Suspense fallback={<Skeleton h={320} radius="lg" />}>
          <StatsPanel stats={stats.data} />
        </Suspense>
        <DeliveriesPanel webhookId={webhook.id} eventTypes={subscribed} />
      </Stack>
      <EditWebhookDialog
        webhook={webhook}
        opened={editing}
        onClose={() => setEditing(false)}
        onDeleted={() => {
          notifications.show({ message: 'Webhook deleted.' });
          navigate(WEBHOOKS_PATH, { replace: true });
        }}
      />
      <ResumeDialog webhook={resuming ? webhook : undefined} onClose={() => setResuming(false)} />
    </>
  );
}

export function WebhookDetailPage() {
  const { id = '' } = useParams();
  const webhook = useWebhook(id);
  const navigate = useNavigate();
  if (webhook.data) return <Detail webhook={webhook.data} />;
  if (webhook.isError) {
    const missing = webhook.error instanceof ApiError && webhook.error.status === 404;
    return (
      <>
        <PageHeader title={missing ? 'Webhook not found' : 'Webhook unavailable'} current={id} />
        <Alert color={missing ? 'gray' : 'red'} variant="light">
          <Stack gap="sm" align="flex-start">
            <Text size="sm">
              {missing ? 'This webhook does not exist or was deleted.' : webhook.error.message}
            </Text>
            <Button size="xs" variant="default" onClick={() => navigate(WEBHOOKS_PATH)}>
              Back to Webhooks
            </Button>
          </Stack>
        </Alert>
      </>
    );
  }
  return (
    <Center py={80}>
      <Loader aria-label="Loading webhook" />
    </Center>
  );
}
