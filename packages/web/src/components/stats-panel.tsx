// The last 24 hours of a webhook: delivered, error rate, average response time and the hourly
// activity chart (succeeded and failed stacked).
import { BarChart } from '@mantine/charts';
import { Group, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import type { WebhookStats } from '../api/client.ts';
import { chartTicks } from '../lib/chart-scale.ts';
import { formatCount, formatDuration, formatHour, formatPercent } from '../lib/format.ts';

function Figure({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase" style={{ letterSpacing: 0.5 }}>
        {label}
      </Text>
      <Text fz={26} fw={650} lh={1.2}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Stack>
  );
}

export function StatsPanel({ stats }: { stats: WebhookStats | undefined }) {
  const data = (stats?.activity ?? []).map((bucket) => ({
    hour: formatHour(bucket.hour),
    Succeeded: bucket.succeeded,
    Failed: bucket.failed,
  }));
  const ticks = chartTicks(Math.max(0, ...data.map((d) => d.Succeeded + d.Failed)));
  return (
    <Paper withBorder radius="lg" p="lg">
      <Stack gap="lg">
        <Title order={2} fz={16}>
          Last 24 hours
        </Title>
        {stats ? (
          <SimpleGrid cols={3} spacing="lg" aria-label="24-hour stats">
            <Figure
              label="Delivered"
              value={formatCount(stats.delivered)}
              hint={`of ${formatCount(stats.attempts)} attempts`}
            />
            <Figure
              label="Error rate"
              value={formatPercent(stats.error_rate)}
              hint={`${formatCount(stats.failed)} failed`}
            />
            <Figure label="Avg. response time" value={formatDuration(stats.avg_response_ms)} />
          </SimpleGrid>
        ) : (
          <Skeleton h={64} />
        )}
        <div
          role="img"
          aria-label={`Activity by hour: ${stats?.delivered ?? 0} delivered, ${stats?.failed ?? 0} failed`}
        >
          <BarChart
            h={160}
            data={data}
            dataKey="hour"
            type="stacked"
            series={[
              { name: 'Succeeded', color: 'teal.6' },
              { name: 'Failed', color: 'red.6' },
            ]}
            withLegend={false}
            gridAxis="y"
            tickLine="none"
            xAxisProps={{ interval: 3 }}
            yAxisProps={{ width: 40, domain: [0, ticks.at(-1) ?? 2], ticks, interval: 0 }}
            barProps={{ radius: 2 }}
            maxBarWidth={18}
          />
        </div>
        <Group gap="lg">
          <Legend color="var(--mantine-color-teal-6)" label="Succeeded" />
          <Legend color="var(--mantine-color-red-6)" label="Failed" />
        </Group>
      </Stack>
    </Paper>
  );
}

function Legend({ color, label }: { color: string; label: string }) {
  return (
    <Group gap={6}>
      <span style={{ width: 10, height: 10, borderRadius: 2, background: color, display: 'inline-block' }} />
      <Text size="xs" c="dimmed">
        {label}
      </Text>
    </Group>
  );
}
