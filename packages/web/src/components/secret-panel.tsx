// Signing secret of the detail page: masked, with Show, Copy and Rotate (both secrets sign for 24
// hours after a rotation).
import { Button, Code, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { IconEye, IconEyeOff, IconRefresh } from '@tabler/icons-react';
import { useState } from 'react';
import { useFetchSecret, useRotateSecret, useSecret } from '../api/use-secret.ts';
import { ConfirmDialog } from './confirm-dialog.tsx';
import { CopyValueButton } from './copy-button.tsx';
import { TimeText } from './time-text.tsx';

const MASK = 'whsec_••••••••••••••••••••••••';

export function SecretPanel({ webhookId }: { webhookId: string }) {
  const [shown, setShown] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const secret = useSecret(webhookId, shown);
  const fetchSecret = useFetchSecret(webhookId);
  const rotate = useRotateSecret(webhookId);
  const previousUntil = (rotate.data ?? secret.data)?.previous_secret_expires_at;

  return (
    <Paper withBorder radius="lg" p="lg">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <div>
            <Title order={2} fz={16}>
              Signing secret
            </Title>
            <Text size="sm" c="dimmed">
              Verify the <Code>webhook-signature</Code> header of every request with it.
            </Text>
          </div>
        </Group>
        <Group gap="sm" wrap="nowrap">
          <Code
            block
            fz="sm"
            style={{
              flex: 1,
              minWidth: 0,
              overflowWrap: 'anywhere',
              whiteSpace: shown ? 'pre-wrap' : 'nowrap',
              overflow: 'hidden',
            }}
            aria-label={shown ? 'Signing secret' : 'Signing secret (hidden)'}
            data-testid="signing-secret"
          >
            {shown && secret.data ? secret.data.secret : MASK}
          </Code>
          <Button
            variant="default"
            leftSection={shown ? <IconEyeOff size={16} /> : <IconEye size={16} />}
            onClick={() => setShown((s) => !s)}
            loading={shown && secret.isFetching && !secret.data}
          >
            {shown ? 'Hide' : 'Show'}
          </Button>
          <CopyValueButton value={async () => (await fetchSecret()).secret} />
          <Button
            variant="default"
            leftSection={<IconRefresh size={16} />}
            onClick={() => setConfirming(true)}
          >
            Rotate
          </Button>
        </Group>
        {previousUntil && (
          <Text size="xs" c="dimmed" component="div">
            The previous secret also signs requests until{' '}
            <TimeText iso={previousUntil} span size="xs" fw={600} />.
          </Text>
        )}
      </Stack>
      <ConfirmDialog
        opened={confirming}
        title="Rotate signing secret?"
        confirmLabel="Rotate"
        pending={rotate.isPending}
        error={rotate.error}
        onClose={() => setConfirming(false)}
        onConfirm={() =>
          rotate.mutate(undefined, {
            onSuccess: () => {
              setConfirming(false);
              setShown(true);
            },
          })
        }
      >
        Klang issues a new secret now. For the next 24 hours every request is signed with both the old and the
        new secret, so you can deploy the new one to your endpoint without rejecting any event. After that
        only the new secret signs.
      </ConfirmDialog>
    </Paper>
  );
}
