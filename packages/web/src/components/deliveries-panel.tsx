// Latest deliveries: one row per attempt, newest first, filtered by status, event type or event id,
// in cursor pages; a row opens the attempt, failed rows show the next retry and Resend.
import {
  Badge,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconChevronLeft, IconChevronRight, IconSearch, IconSend } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { AttemptSummary, EventType } from '../api/client.ts';
import { type AttemptFilters, useAttempts, useResend } from '../api/use-deliveries.ts';
import { formatDuration, formatRelative } from '../lib/format.ts';
import { AttemptDrawer } from './attempt-drawer.tsx';
import { AttemptStatus } from './attempt-status.tsx';
import { FailureHint } from './failure-hint.tsx';
import { TimeText } from './time-text.tsx';

type StatusFilter = 'all' | 'succeeded' | 'failed';

/** Under a failed attempt's status: when it is retried, or Resend once its retries are over. */
function NextStep({ attempt, webhookId }: { attempt: AttemptSummary; webhookId: string }) {
  const resend = useResend(webhookId);
  if (attempt.outcome !== 'failed') return null;
  if (attempt.next_retry_at) {
    return (
      <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
        Retry {formatRelative(attempt.next_retry_at)}
      </Text>
    );
  }
  if (attempt.delivery_status === 'pending') return null;
  return (
    <Button
      size="compact-xs"
      variant="light"
      leftSection={<IconSend size={12} />}
      loading={resend.isPending}
      disabled={resend.isSuccess}
      onClick={(e) => {
        e.stopPropagation();
        resend.mutate(attempt.delivery_id);
      }}
    >
      {resend.isSuccess ? 'Queued' : 'Resend'}
    </Button>
  );
}

function AttemptRow({
  attempt,
  webhookId,
  onOpen,
}: {
  attempt: AttemptSummary;
  webhookId: string;
  onOpen(): void;
}) {
  return (
    <Table.Tr
      style={{ cursor: 'pointer' }}
      onClick={onOpen}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onOpen();
        }
      }}
      tabIndex={0}
      aria-label={`${attempt.event_type} attempt ${attempt.attempt}, ${attempt.outcome}`}
      data-testid="attempt-row"
    >
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <TimeText iso={attempt.created_at} />
      </Table.Td>
      <Table.Td style={{ maxWidth: 0, width: '100%' }}>
        <Stack gap={2}>
          <Group gap={6} wrap="nowrap">
            <Text size="sm" fw={600} className="mono" truncate>
              {attempt.event_type}
            </Text>
            {attempt.test && (
              <Badge size="xs" color="violet" variant="light" radius="sm">
                TEST
              </Badge>
            )}
          </Group>
          <Text size="xs" c="dimmed" className="mono" truncate>
            {attempt.event_id}
          </Text>
          {attempt.outcome === 'failed' && <FailureHint attempt={attempt} compact />}
        </Stack>
      </Table.Td>
      <Table.Td ta="center">#{attempt.attempt}</Table.Td>
      <Table.Td>
        <Stack gap={4} align="flex-start">
          <AttemptStatus attempt={attempt} />
          <NextStep attempt={attempt} webhookId={webhookId} />
        </Stack>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDuration(attempt.duration_ms)}</Table.Td>
    </Table.Tr>
  );
}

export function DeliveriesPanel({ webhookId, eventTypes }: { webhookId: string; eventTypes: EventType[] }) {
  const [status, setStatus] = useState<StatusFilter>('all');
  const [type, setType] = useState<string | null>(null);
  const [eventIdInput, setEventIdInput] = useState('');
  const [eventId] = useDebouncedValue(eventIdInput.trim(), 300);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [openAttempt, setOpenAttempt] = useState<string>();
  const filters: AttemptFilters = {
    status: status === 'all' ? undefined : status,
    type: (type ?? undefined) as AttemptFilters['type'],
    eventId: eventId || undefined,
  };
  const page = cursors.length - 1;
  const attempts = useAttempts(webhookId, filters, cursors[page]);
  const filterKey = `${status}|${type}|${eventId}`;

  // A new filter starts again at the newest page.
  // biome-ignore lint/correctness/useExhaustiveDependencies: filterKey sums up the filters
  useEffect(() => setCursors([undefined]), [filterKey]);

  const rows = attempts.data?.data ?? [];
  const nextCursor = attempts.data?.next_cursor ?? null;

  return (
    <Paper withBorder radius="lg" p="lg">
      <Stack gap="md">
        <Group justify="space-between" align="flex-end" gap="sm">
          <Title order={2} fz={16}>
            Latest deliveries
          </Title>
          <Group gap="sm" align="flex-end">
            <SegmentedControl
              size="xs"
              value={status}
              onChange={(v) => setStatus(v as StatusFilter)}
              data={[
                { value: 'all', label: 'All' },
                { value: 'succeeded', label: 'Succeeded' },
                { value: 'failed', label: 'Failed' },
              ]}
              aria-label="Status"
            />
            <Select
              size="xs"
              w={190}
              aria-label="Event type"
              placeholder="All event types"
              clearable
              value={type}
              onChange={setType}
              data={eventTypes.map((e) => e.type)}
            />
            <TextInput
              size="xs"
              w={210}
              aria-label="Find by event id"
              placeholder="Find by event id"
              leftSection={<IconSearch size={14} />}
              value={eventIdInput}
              onChange={(e) => setEventIdInput(e.currentTarget.value)}
              classNames={{ input: 'mono' }}
              spellCheck={false}
            />
          </Group>
        </Group>
        {rows.length === 0 ? (
          <Text size="sm" c="dimmed" py="xl" ta="center">
            {attempts.isPending
              ? 'Loading deliveries…'
              : filters.status || filters.type || filters.eventId
                ? 'No attempts match these filters.'
                : 'No deliveries yet. Send a test event to see the first one here.'}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={520}>
            <Table highlightOnHover verticalSpacing="sm" aria-label="Latest deliveries">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Time</Table.Th>
                  <Table.Th>Event</Table.Th>
                  <Table.Th ta="center">Attempt</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Duration</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((attempt) => (
                  <AttemptRow
                    key={attempt.id}
                    attempt={attempt}
                    webhookId={webhookId}
                    onOpen={() => setOpenAttempt(attempt.id)}
                  />
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {(page > 0 || nextCursor) && (
          <Group justify="space-between">
            <Text size="xs" c="dimmed">
              Page {page + 1}
            </Text>
            <Group gap="xs">
              <Button
                size="xs"
                variant="default"
                leftSection={<IconChevronLeft size={14} />}
                disabled={page === 0}
                onClick={() => setCursors((c) => c.slice(0, -1))}
              >
                Newer
              </Button>
              <Button
                size="xs"
                variant="default"
                rightSection={<IconChevronRight size={14} />}
                disabled={!nextCursor}
                onClick={() => nextCursor && setCursors((c) => [...c, nextCursor])}
              >
                Older
              </Button>
            </Group>
          </Group>
        )}
      </Stack>
      <AttemptDrawer
        webhookId={webhookId}
        attemptId={openAttempt}
        onClose={() => setOpenAttempt(undefined)}
      />
    </Paper>
  );
}
