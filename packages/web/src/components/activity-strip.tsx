// The list's 24-hour activity: 24 hourly bars (succeeded and failed stacked) with the counts beside.
import { Box, Group, Stack, Text, Tooltip } from '@mantine/core';
import type { WebhookListItem } from '../api/client.ts';
import { formatCount, formatHour } from '../lib/format.ts';

type Activity = WebhookListItem['activity_24h'];

const HEIGHT = 24;

export function ActivityStrip({ activity }: { activity: Activity }) {
  const peak = Math.max(1, ...activity.buckets.map((b) => b.succeeded + b.failed));
  const label = `Last 24 hours: ${activity.succeeded} delivered, ${activity.failed} failed`;
  return (
    <Stack gap={4}>
      <Tooltip label={label}>
        <Group gap={2} h={HEIGHT} align="flex-end" wrap="nowrap" role="img" aria-label={label}>
          {activity.buckets.map((bucket) => {
            const total = bucket.succeeded + bucket.failed;
            const height = total === 0 ? 2 : Math.max(4, Math.round((total / peak) * HEIGHT));
            const failedShare = total === 0 ? 0 : bucket.failed / total;
            return (
              <Box
                key={bucket.hour}
                w={5}
                h={height}
                title={`${formatHour(bucket.hour)}: ${bucket.succeeded} delivered, ${bucket.failed} failed`}
                style={{
                  borderRadius: 1.5,
                  background:
                    total === 0
                      ? 'var(--mantine-color-gray-3)'
                      : `linear-gradient(to top, var(--mantine-color-red-6) ${failedShare * 100}%, var(--mantine-color-teal-6) ${failedShare * 100}%)`,
                }}
              />
            );
          })}
        </Group>
      </Tooltip>
      <Text size="xs" c="dimmed">
        {formatCount(activity.succeeded)} delivered · {formatCount(activity.failed)} failed
      </Text>
    </Stack>
  );
}
