// The top of a settings page: breadcrumbs (Settings → Developers → Webhooks …), title and actions.
import { Anchor, Breadcrumbs, Group, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { WEBHOOKS_PATH } from '../lib/paths.ts';

interface PageHeaderProps {
  title: ReactNode;
  /** The last breadcrumb after Webhooks (the detail page's URL); none on the list. */
  current?: string;
  description?: ReactNode;
  actions?: ReactNode;
}

export function PageHeader({ title, current, description, actions }: PageHeaderProps) {
  const crumbs = [
    <Text key="settings" size="sm" c="dimmed">
      Settings
    </Text>,
    <Text key="developers" size="sm" c="dimmed">
      Developers
    </Text>,
    current ? (
      <Anchor key="webhooks" component={Link} to={WEBHOOKS_PATH} size="sm">
        Webhooks
      </Anchor>
    ) : (
      <Text key="webhooks" size="sm" aria-current="page">
        Webhooks
      </Text>
    ),
  ];
  if (current) {
    crumbs.push(
      <Text key="current" size="sm" aria-current="page" maw={320} truncate="end">
        {current}
      </Text>,
    );
  }
  return (
    <Stack gap="xs" mb="xl">
      <nav aria-label="Breadcrumb">
        <Breadcrumbs separatorMargin={6}>{crumbs}</Breadcrumbs>
      </nav>
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="lg">
        <Stack gap={4} style={{ minWidth: 0, flex: 1 }}>
          {typeof title === 'string' ? (
            <Title order={1} fz={28}>
              {title}
            </Title>
          ) : (
            title
          )}
          {description}
        </Stack>
        {actions && (
          <Group gap="sm" wrap="nowrap" style={{ flexShrink: 0 }}>
            {actions}
          </Group>
        )}
      </Group>
    </Stack>
  );
}
