// Shown once after Create: the full signing secret with Copy, closed only by "I have saved it".
import { Alert, Button, Code, Group, Modal, Stack, Text } from '@mantine/core';
import { IconKey } from '@tabler/icons-react';
import { CopyValueButton } from './copy-button.tsx';

export function SecretDialog({ secret, onDone }: { secret: string | undefined; onDone(): void }) {
  return (
    <Modal
      opened={secret !== undefined}
      onClose={onDone}
      title="Save your signing secret"
      size="lg"
      closeOnClickOutside={false}
      closeOnEscape={false}
      withCloseButton={false}
    >
      <Stack gap="md">
        <Text size="sm">
          Your endpoint uses this secret to verify that requests come from Klang. Copy it now and store it
          somewhere safe, such as your secret manager.
        </Text>
        <Group gap="sm" wrap="nowrap" align="stretch">
          <Code
            block
            fz="sm"
            style={{ flex: 1, wordBreak: 'break-all', whiteSpace: 'pre-wrap', alignContent: 'center' }}
            data-testid="new-secret"
          >
            {secret}
          </Code>
          {secret && <CopyValueButton value={secret} h="auto" />}
        </Group>
        <Alert variant="light" color="indigo" icon={<IconKey size={18} />}>
          You can show it again on the webhook's page; rotate it there if it ever leaks.
        </Alert>
        <Group justify="flex-end">
          <Button onClick={onDone} data-autofocus>
            I have saved it
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
