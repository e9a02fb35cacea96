// The fields of a webhook shared by the Create and Edit dialogs: URL, Description and the events as
// checkboxes with their one-line meanings; the server's validation messages appear at each field.
import { Checkbox, Code, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useCallback, useState } from 'react';
import { ApiError, type EventType } from '../api/client.ts';
import { useEventTypes } from '../api/use-event-types.ts';
import { fieldSentence } from '../lib/field-errors.ts';

export interface WebhookFormValues {
  url: string;
  description: string;
  events: EventType['type'][];
}

export function useWebhookForm(initial: WebhookFormValues) {
  const [values, setValues] = useState(initial);
  const set = useCallback(
    <K extends keyof WebhookFormValues>(key: K, value: WebhookFormValues[K]) =>
      setValues((current) => ({ ...current, [key]: value })),
    [],
  );
  const reset = useCallback((next: WebhookFormValues) => setValues(next), []);
  return { values, set, reset };
}

/** True when the error is one the fields show (so the dialog shows no separate alert for it). */
export const isFieldError = (error: unknown): boolean =>
  error instanceof ApiError &&
  error.details.length > 0 &&
  error.details.every((d) => ['url', 'description', 'events'].includes(d.field.split('.')[0] ?? ''));

interface WebhookFieldsProps {
  form: ReturnType<typeof useWebhookForm>;
  error: unknown;
}

export function WebhookFields({ form, error }: WebhookFieldsProps) {
  const eventTypes = useEventTypes();
  const { values, set } = form;
  const eventsError =
    fieldSentence(error, 'events', 'Events') ??
    (error instanceof ApiError
      ? error.details.find((d) => d.field.startsWith('events.'))?.message
      : undefined);
  return (
    <Stack gap="md">
      <TextInput
        label="URL"
        description="The public HTTPS endpoint that receives the events."
        placeholder="https://example.com/webhooks/klang"
        required
        value={values.url}
        onChange={(e) => set('url', e.currentTarget.value)}
        error={fieldSentence(error, 'url', 'URL')}
        classNames={{ input: 'mono' }}
        data-autofocus
        spellCheck={false}
        autoComplete="off"
      />
      <Textarea
        label="Description"
        description="Optional: helps you recognise the webhook later."
        placeholder="CRM sync"
        autosize
        minRows={2}
        maxRows={4}
        maxLength={500}
        value={values.description}
        onChange={(e) => set('description', e.currentTarget.value)}
        error={fieldSentence(error, 'description', 'Description')}
      />
      <Checkbox.Group
        label="Events"
        description="Klang sends only the events you select."
        value={values.events}
        onChange={(selected) => set('events', selected as EventType['type'][])}
        error={eventsError}
        required
      >
        <Stack gap="sm" mt="xs">
          {(eventTypes.data ?? []).map((eventType) => (
            <Checkbox
              key={eventType.type}
              value={eventType.type}
              label={<Code fz="sm">{eventType.type}</Code>}
              description={
                <Text span size="xs" c="dimmed">
                  {eventType.description}
                </Text>
              }
            />
          ))}
        </Stack>
      </Checkbox.Group>
    </Stack>
  );
}
