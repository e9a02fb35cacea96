// Create webhook: URL, optional Description and the events (all checked by default); Create opens
// the secret dialog with the new signing secret.
import { Button, Group, Modal, Stack } from '@mantine/core';
import { type FormEvent, useEffect } from 'react';
import type { WebhookCreated } from '../api/client.ts';
import { useEventTypes } from '../api/use-event-types.ts';
import { useCreateWebhook } from '../api/use-webhooks.ts';
import { FormProblem } from './form-problem.tsx';
import { isFieldError, useWebhookForm, WebhookFields } from './webhook-form.tsx';

interface CreateWebhookDialogProps {
  opened: boolean;
  onClose(): void;
  onCreated(webhook: WebhookCreated): void;
}

export function CreateWebhookDialog({ opened, onClose, onCreated }: CreateWebhookDialogProps) {
  const eventTypes = useEventTypes();
  const create = useCreateWebhook();
  const allEvents = (eventTypes.data ?? []).map((e) => e.type);
  const form = useWebhookForm({ url: '', description: '', events: allEvents });
  const { reset } = form;
  const { reset: resetCreate } = create;
  const catalog = allEvents.join(',');

  // Every opening starts fresh, with all events checked.
  useEffect(() => {
    if (opened) {
      reset({ url: '', description: '', events: catalog ? (catalog.split(',') as typeof allEvents) : [] });
      resetCreate();
    }
  }, [opened, catalog, reset, resetCreate]);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const { url, description, events } = form.values;
    create.mutate(
      { url: url.trim(), description: description.trim() || undefined, events },
      { onSuccess: onCreated },
    );
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Create webhook" size="lg">
      <form onSubmit={onSubmit} noValidate>
        <Stack gap="lg">
          {!isFieldError(create.error) && <FormProblem error={create.error} />}
          <WebhookFields form={form} error={create.error} />
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending}>
              Create
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
