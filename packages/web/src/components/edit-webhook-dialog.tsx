// Edit: URL, Description and events of a webhook, and Delete webhook at the bottom (confirmed).
import { Button, Divider, Group, Modal, Stack, Text } from '@mantine/core';
import { IconTrash } from '@tabler/icons-react';
import { type FormEvent, useEffect, useState } from 'react';
import type { Webhook } from '../api/client.ts';
import { useUpdateWebhook } from '../api/use-webhooks.ts';
import { DeleteWebhookDialog } from './delete-webhook-dialog.tsx';
import { FormProblem } from './form-problem.tsx';
import { isFieldError, useWebhookForm, WebhookFields } from './webhook-form.tsx';

interface EditWebhookDialogProps {
  webhook: Webhook;
  opened: boolean;
  onClose(): void;
  onDeleted(): void;
}

export function EditWebhookDialog({ webhook, opened, onClose, onDeleted }: EditWebhookDialogProps) {
  const update = useUpdateWebhook(webhook.id);
  const form = useWebhookForm(webhook);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const { reset } = form;
  const { reset: resetUpdate } = update;

  // Each opening starts from the webhook as it is now.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new opening resets the form
  useEffect(() => {
    if (opened) {
      reset({ url: webhook.url, description: webhook.description, events: webhook.events });
      resetUpdate();
    }
  }, [opened]);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const { url, description, events } = form.values;
    update.mutate({ url: url.trim(), description: description.trim(), events }, { onSuccess: onClose });
  };

  return (
    <>
      <Modal opened={opened && !confirmDelete} onClose={onClose} title="Edit webhook" size="lg">
        <form onSubmit={onSubmit} noValidate>
          <Stack gap="lg">
            {!isFieldError(update.error) && <FormProblem error={update.error} />}
            <WebhookFields form={form} error={update.error} />
            <Group justify="flex-end" gap="sm">
              <Button variant="default" onClick={onClose}>
                Cancel
              </Button>
              <Button type="submit" loading={update.isPending}>
                Save
              </Button>
            </Group>
          </Stack>
        </form>
        <Divider my="lg" />
        <Group justify="space-between" wrap="nowrap">
          <Text size="sm" c="dimmed">
            Deleting removes the webhook and its delivery history.
          </Text>
          <Button
            color="red"
            variant="light"
            leftSection={<IconTrash size={16} />}
            onClick={() => setConfirmDelete(true)}
          >
            Delete webhook
          </Button>
        </Group>
      </Modal>
      <DeleteWebhookDialog
        webhook={confirmDelete ? webhook : undefined}
        onClose={() => setConfirmDelete(false)}
        onDeleted={() => {
          setConfirmDelete(false);
          onDeleted();
        }}
      />
    </>
  );
}
