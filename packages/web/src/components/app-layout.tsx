// The app shell of signed-in pages: header with the signed-in user and Sign out, and the Settings
// navigation (Developers → Webhooks).
import { AppShell, Badge, Button, Group, NavLink, ScrollArea, Stack, Text } from '@mantine/core';
import { IconBook, IconWebhook } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import type { Me } from '../api/client.ts';
import { useSignOut } from '../api/use-session.ts';
import { WEBHOOKS_PATH } from '../lib/paths.ts';
import { KlangLogo } from './klang-logo.tsx';

const PLAN_LABELS: Record<Me['plan'], string> = { free: 'Free', pro: 'Pro', team: 'Team' };

function NavSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pb={4} style={{ letterSpacing: 0.6 }}>
        {title}
      </Text>
      {children}
    </Stack>
  );
}

export function AppLayout({ user, children }: { user: Me; children: ReactNode }) {
  const location = useLocation();
  const navigate = useNavigate();
  const signOut = useSignOut();
  const onSignOut = () => signOut.mutate(undefined, { onSettled: () => navigate('/', { replace: true }) });

  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 240, breakpoint: 'xs' }} padding="xl">
      <AppShell.Header px="lg">
        <Group h="100%" justify="space-between">
          <Link to="/" aria-label="Klang home" style={{ color: 'inherit', textDecoration: 'none' }}>
            <KlangLogo />
          </Link>
          <Group gap="sm">
            <Text size="sm" data-testid="signed-in-user">
              {user.email}
            </Text>
            <Badge variant="light" color={user.plan === 'free' ? 'gray' : 'indigo'}>
              {PLAN_LABELS[user.plan]}
            </Badge>
            <Button variant="default" size="xs" onClick={onSignOut} loading={signOut.isPending}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="md" aria-label="Settings">
        <ScrollArea>
          <Stack gap="lg">
            <Text fw={700} px="sm">
              Settings
            </Text>
            <NavSection title="Developers">
              <NavLink
                component={Link}
                to={WEBHOOKS_PATH}
                label="Webhooks"
                leftSection={<IconWebhook size={18} stroke={1.6} />}
                active={location.pathname.startsWith(WEBHOOKS_PATH)}
                aria-current={location.pathname === WEBHOOKS_PATH ? 'page' : undefined}
              />
              <NavLink href="/docs" label="API reference" leftSection={<IconBook size={18} stroke={1.6} />} />
            </NavSection>
          </Stack>
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>
        <div style={{ maxWidth: 1120, margin: '0 auto' }}>{children}</div>
      </AppShell.Main>
    </AppShell>
  );
}
