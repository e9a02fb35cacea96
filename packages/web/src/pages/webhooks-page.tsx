// Settings → Developers → Webhooks: the list, the empty state, Create webhook (or the upgrade
// notice on the free plan) and the row actions.
import { Alert, Button, Center, Loader, Paper, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconPlus, IconWebhook } from '@tabler/icons-react';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import type { Webhook, WebhookCreated } from '../api/client.ts';
import { useEventTypes } from '../api/use-event-types.ts';
import { useMe } from '../api/use-session.ts';
import { usePauseWebhook, useWebhookList } from '../api/use-webhooks.ts';
import { CreateWebhookDialog } from '../components/create-webhook-dialog.tsx';
import { DeleteWebhookDialog } from '../components/delete-webhook-dialog.tsx';
import { EditWebhookDialog } from '../components/edit-webhook-dialog.tsx';
import { PageHeader } from '../components/page-header.tsx';
import { ResumeDialog } from '../components/resume-dialog.tsx';
import { SecretDialog } from '../components/secret-dialog.tsx';
import { UpgradeNotice } from '../components/upgrade-notice.tsx';
import { WebhooksTable } from '../components/webhooks-table.tsx';
import { webhookPath } from '../lib/paths.ts';

function EmptyState({ canCreate, onCreate }: { canCreate: boolean; onCreate(): void }) {
  return (
    <Paper withBorder radius="lg" p={48}>
      <Stack align="center" gap="sm" maw={460} mx="auto" ta="center">
        <ThemeIcon size={48} radius="xl" variant="light">
          <IconWebhook size={26} />
        </ThemeIcon>
        <Title order={2} fz={18}>
          No webhooks yet
        </Title>
        <Text size="sm" c="dimmed">
          Create a webhook to have Klang send an HTTPS request to your server whenever a meeting is processed,
          fails or is deleted.
        </Text>
        {canCreate && (
          <Button leftSection={<IconPlus size={16} />} onClick={onCreate} mt="xs">
            Create webhook
          </Button>
        )}
      </Stack>
    </Paper>
  );
}

export function WebhooksPage() {
  const me = useMe();
  const list = useWebhookList();
  // Loaded with the page, so the Create dialog opens with every event listed and checked.
  useEventTypes();
  const navigate = useNavigate();
  const pause = usePauseWebhook();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<WebhookCreated>();
  const [editing, setEditing] = useState<Webhook>();
  const [deleting, setDeleting] = useState<Webhook>();
  const [resuming, setResuming] = useState<Webhook>();
  const canCreate = me.data?.plan !== 'free';

  const onPause = (webhook: Webhook) =>
    pause.mutate(webhook.id, {
      onSuccess: () => notifications.show({ message: 'Webhook paused. Events are recorded as missed.' }),
      onError: (error) => notifications.show({ color: 'red', message: error.message }),
    });

  const createButton = canCreate ? (
    <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
      Create webhook
    </Button>
  ) : undefined;

  return (
    <>
      <PageHeader
        title="Webhooks"
        description={
          <Text c="dimmed" size="sm" maw={640}>
            Klang sends an event to each of your webhooks when a conversation you can access is processed,
            fails or is deleted. Webhooks are personal: they only receive events for content you can see.
          </Text>
        }
        actions={createButton}
      />
      <Stack gap="lg">
        {!canCreate && <UpgradeNotice />}
        {list.isPending ? (
          <Center py={64}>
            <Loader aria-label="Loading webhooks" />
          </Center>
        ) : list.isError ? (
          <Alert color="red" variant="light" role="alert">
            The webhooks could not be loaded: {list.error.message}
          </Alert>
        ) : list.data.length === 0 ? (
          <EmptyState canCreate={canCreate} onCreate={() => setCreating(true)} />
        ) : (
          <WebhooksTable
            webhooks={list.data}
            actions={{ onPause, onResume: setResuming, onEdit: setEditing, onDelete: setDeleting }}
          />
        )}
      </Stack>
      <CreateWebhookDialog
        opened={creating}
        onClose={() => setCreating(false)}
        onCreated={(webhook) => {
          setCreating(false);
          setCreated(webhook);
        }}
      />
      <SecretDialog
        secret={created?.secret}
        onDone={() => {
          const id = created?.id;
          setCreated(undefined);
          if (id) navigate(webhookPath(id));
        }}
      />
      {editing && (
        <EditWebhookDialog
          webhook={editing}
          opened
          onClose={() => setEditing(undefined)}
          onDeleted={() => setEditing(undefined)}
        />
      )}
      <DeleteWebhookDialog
        webhook={deleting}
        onClose={() => setDeleting(undefined)}
        onDeleted={() => {
          setDeleting(undefined);
          notifications.show({ message: 'Webhook deleted.' });
        }}
      />
      <ResumeDialog webhook={resuming} onClose={() => setResuming(undefined)} />
    </>
  );
}
