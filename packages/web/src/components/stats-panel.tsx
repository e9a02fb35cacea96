// The last 24 hours of a webhook: delivered, error rate, response times (p50 with the mean, p95),
// the failures by kind that occurred, and the hourly activity chart (succeeded and failed stacked).
import { BarChart } from '@mantine/charts';
import { Anchor, Group, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import type { WebhookStats } from '../api/client.ts';
import { chartTicks } from '../lib/chart-scale.ts';
import { failureKindEntries } from '../lib/failure-kinds.ts';
import { formatCount, formatDuration, formatHour, formatPercent } from '../lib/format.ts';

function Caption({ children }: { children: string }) {
  return (
    <Text size="xs" c="dimmed" fw={600} tt="uppercase" style={{ letterSpacing: 0.5 }}>
      {children}
    </Text>
  );
}

function Figure({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <Stack gap={2}>
      <Caption>{label}</Caption>
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
          <>
            <SimpleGrid cols={4} spacing="lg" aria-label="24-hour stats">
              <Figure
                label="Delivered"
                value={formatCount(stats.delivered)}
                hint={`of ${formatCount(stats.attempts)} ${stats.attempts === 1 ? 'attempt' : 'attempts'}`}
              />
              <Figure
                label="Error rate"
                value={formatPercent(stats.error_rate)}
                hint={`${formatCount(stats.failed)} failed`}
              />
              <Figure
                label="Response time p50"
                value={formatDuration(stats.p50_response_ms)}
                hint={
                  stats.avg_response_ms === null ? undefined : `avg. ${formatDuration(stats.avg_response_ms)}`
                }
              />
              <Figure label="Response time p95" value={formatDuration(stats.p95_response_ms)} />
            </SimpleGrid>
            <FailureKinds stats={stats} />
          </>
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

/** The kinds of the window's failed attempts, only those that occurred, each linked to its section. */
function FailureKinds({ stats }: { stats: WebhookStats }) {
  const entries = failureKindEntries(stats.failures_by_kind);
  if (entries.length === 0) return null;
  return (
    <Stack gap={6}>
      <Caption>Failures by kind</Caption>
      <Group
        component="ul"
        aria-label="Failures by kind"
        gap="xs"
        style={{ listStyle: 'none', margin: 0, padding: 0 }}
      >
        {entries.map((entry) => (
          <Paper
            component="li"
            key={entry.kind}
            withBorder
            radius="xl"
            px="sm"
            py={4}
            title={entry.description}
          >
            <Group gap={8} wrap="nowrap">
              <span
                aria-hidden
                style={{ width: 8, height: 8, borderRadius: 4, background: 'var(--mantine-color-red-6)' }}
              />
              <Anchor href={entry.href} size="sm" c="inherit" underline="hover">
                {entry.label}
              </Anchor>
              <Text size="sm" fw={650}>
                {formatCount(entry.count)}
              </Text>
            </Group>
          </Paper>
        ))}
      </Group>
    </Stack>
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
