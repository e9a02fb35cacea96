// Turning Receiving events back on: asks whether to also send the events missed while paused
// (default no), then resumes.
import { Button, Checkbox, Group, Modal, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { Webhook } from '../api/client.ts';
import { useResumeWebhook } from '../api/use-webhooks.ts';
import { FormProblem } from './form-problem.tsx';

export function ResumeDialog({ webhook, onClose }: { webhook: Webhook | undefined; onClose(): void }) {
  const resume = useResumeWebhook();
  const [sendMissed, setSendMissed] = useState(false);
  const { reset } = resume;
  const opened = webhook !== undefined;
  useEffect(() => {
    if (opened) {
      setSendMissed(false);
      reset();
    }
  }, [opened, reset]);

  const onResume = () => {
    if (webhook) resume.mutate({ id: webhook.id, sendMissed }, { onSuccess: onClose });
  };

  return (
    <Modal opened={opened} onClose={onClose} title="Resume receiving events" size="md">
      <Stack gap="lg">
        <Text size="sm">
          Klang starts sending new events to this webhook again. Deliveries that were waiting for a retry
          continue.
        </Text>
        <Checkbox
          checked={sendMissed}
          onChange={(e) => setSendMissed(e.currentTarget.checked)}
          label="Also send the events missed while it was paused"
          description="Each missed event is delivered once, signed as usual, in addition to new events."
        />
        <FormProblem error={resume.error} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={onResume} loading={resume.isPending} data-autofocus>
            Resume
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
