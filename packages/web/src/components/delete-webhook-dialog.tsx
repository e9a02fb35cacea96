// Confirms deleting a webhook: it and its delivery history are removed for good.
import { Code } from '@mantine/core';
import { useEffect } from 'react';
import type { Webhook } from '../api/client.ts';
import { useDeleteWebhook } from '../api/use-webhooks.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';

interface DeleteWebhookDialogProps {
  webhook: Pick<Webhook, 'id' | 'url'> | undefined;
  onClose(): void;
  onDeleted(): void;
}

export function DeleteWebhookDialog({ webhook, onClose, onDeleted }: DeleteWebhookDialogProps) {
  const remove = useDeleteWebhook();
  const { reset } = remove;
  const opened = webhook !== undefined;
  useEffect(() => {
    if (opened) reset();
  }, [opened, reset]);
  return (
    <ConfirmDialog
      opened={opened}
      title="Delete webhook?"
      confirmLabel="Delete webhook"
      danger
      pending={remove.isPending}
      error={remove.error}
      onClose={onClose}
      onConfirm={() => webhook && remove.mutate(webhook.id, { onSuccess: onDeleted })}
    >
      Klang stops sending events to <Code>{webhook?.url}</Code> and deletes the webhook with its delivery
      history. This cannot be undone.
    </ConfirmDialog>
  );
}
