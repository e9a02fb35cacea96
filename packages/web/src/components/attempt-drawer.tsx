// One attempt in full: summary, the hint for a failure, the request (headers, pretty JSON body) and
// the response (status, headers, body, truncated note); failed deliveries can be resent.
import {
  Alert,
  Badge,
  Button,
  Code,
  Drawer,
  Group,
  Loader,
  ScrollArea,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconSend } from '@tabler/icons-react';
import type { AttemptDetail } from '../api/client.ts';
import { useAttempt, useResend } from '../api/use-deliveries.ts';
import { formatDuration, prettyJson } from '../lib/format.ts';
import { AttemptStatus } from './attempt-status.tsx';
import { FailureHint } from './failure-hint.tsx';
import { TimeText } from './time-text.tsx';

function HeaderTable({ headers, label }: { headers: Record<string, string> | null; label: string }) {
  const entries = Object.entries(headers ?? {});
  if (entries.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No headers
      </Text>
    );
  return (
    <Table withTableBorder fz="xs" verticalSpacing={4} aria-label={label} className="mono">
      <Table.Tbody>
        {entries.map(([name, value]) => (
          <Table.Tr key={name}>
            <Table.Td w="34%" c="dimmed" style={{ verticalAlign: 'top' }}>
              {name}
            </Table.Td>
            <Table.Td style={{ overflowWrap: 'anywhere' }}>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function Body({ body, label }: { body: string | null; label: string }) {
  if (!body)
    return (
      <Text size="sm" c="dimmed">
        Empty body
      </Text>
    );
  return (
    <ScrollArea.Autosize mah={320} type="auto">
      <Code block fz="xs" aria-label={label} style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
        {prettyJson(body)}
      </Code>
    </ScrollArea.Autosize>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Stack gap="xs">
      <Title order={3} fz={14}>
        {title}
      </Title>
      {children}
    </Stack>
  );
}

function AttemptView({ attempt, webhookId }: { attempt: AttemptDetail; webhookId: string }) {
  const resend = useResend(webhookId);
  const canResend = attempt.outcome === 'failed' && attempt.delivery_status !== 'pending';
  return (
    <Stack gap="lg">
      <Group gap="xs">
        <AttemptStatus attempt={attempt} />
        {attempt.test && (
          <Badge color="violet" variant="light" radius="sm">
            TEST
          </Badge>
        )}
        <Text size="sm" c="dimmed">
          Attempt {attempt.attempt} · {formatDuration(attempt.duration_ms)} ·{' '}
        </Text>
        <TimeText iso={attempt.created_at} c="dimmed" />
      </Group>
      <Text size="sm" component="div">
        Event <Code>{attempt.event_id}</Code> <Code>{attempt.event_type}</Code>
      </Text>
      {attempt.outcome === 'failed' && (
        <Stack gap="xs">
          {attempt.error_message && (
            <Text size="sm" c="red.8">
              {attempt.error_message}
            </Text>
          )}
          <FailureHint attempt={attempt} />
          {attempt.next_retry_at ? (
            <Text size="sm" component="div">
              Next retry: <TimeText iso={attempt.next_retry_at} span fw={600} />
            </Text>
          ) : null}
          {canResend && (
            <Group>
              <Button
                size="xs"
                variant="light"
                leftSection={<IconSend size={14} />}
                loading={resend.isPending}
                onClick={() => resend.mutate(attempt.delivery_id)}
              >
                Resend
              </Button>
              {resend.isSuccess && (
                <Text size="xs" c="teal.8">
                  Queued for another attempt.
                </Text>
              )}
            </Group>
          )}
        </Stack>
      )}
      <Section title="Request">
        <HeaderTable headers={attempt.request.headers} label="Request headers" />
        <Body body={attempt.request.body} label="Request body" />
      </Section>
      <Section title="Response">
        {attempt.response.status === null ? (
          <Text size="sm" c="dimmed">
            No response: {attempt.error_message ?? 'the request did not complete'}.
          </Text>
        ) : (
          <>
            <Text size="sm">
              Status <Code>{attempt.response.status}</Code>
            </Text>
            <HeaderTable headers={attempt.response.headers} label="Response headers" />
            <Body body={attempt.response.body} label="Response body" />
            {attempt.response.body_base64 !== null && (
              <Alert variant="light" color="gray" p="xs">
                The body is not UTF-8 text: it is shown with replacement characters (␀ for NUL bytes); the
                exact bytes are in the API's response.body_base64.
              </Alert>
            )}
            {attempt.response.truncated && (
              <Alert variant="light" color="gray" p="xs">
                The response body was longer than 64 KiB; only its beginning is kept (truncated).
              </Alert>
            )}
          </>
        )}
      </Section>
    </Stack>
  );
}

interface AttemptDrawerProps {
  webhookId: string;
  attemptId: string | undefined;
  onClose(): void;
}

export function AttemptDrawer({ webhookId, attemptId, onClose }: AttemptDrawerProps) {
  const attempt = useAttempt(webhookId, attemptId);
  return (
    <Drawer
      opened={attemptId !== undefined}
      onClose={onClose}
      position="right"
      size={620}
      title={
        attempt.data ? `${attempt.data.event_type} · attempt ${attempt.data.attempt}` : 'Delivery attempt'
      }
      scrollAreaComponent={ScrollArea.Autosize}
    >
      {attempt.data ? (
        <AttemptView attempt={attempt.data} webhookId={webhookId} />
      ) : attempt.isError ? (
        <Alert color="red" variant="light">
          {attempt.error.message}
        </Alert>
      ) : (
        <Loader aria-label="Loading attempt" />
      )}
    </Drawer>
  );
}
