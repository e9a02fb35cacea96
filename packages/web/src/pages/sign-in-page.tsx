// Sign-in: email and password; wrong credentials, field errors and throttling shown inline.
import {
  Alert,
  Anchor,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { type FormEvent, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { ApiError } from '../api/client.ts';
import { useSignIn } from '../api/use-session.ts';
import { KlangLogo } from '../components/klang-logo.tsx';
import { WEBHOOKS_PATH } from '../lib/paths.ts';

function problemOf(error: unknown): string | undefined {
  if (!error) return undefined;
  if (error instanceof ApiError) {
    if (error.status === 429) {
      const wait = error.retryAfterSeconds;
      return wait
        ? `Too many failed sign-in attempts. Try again in ${wait > 90 ? `${Math.ceil(wait / 60)} minutes` : `${wait} seconds`}.`
        : error.message;
    }
    if (error.status === 422) return undefined;
    return error.message;
  }
  return 'Sign-in failed; please retry.';
}

export function SignInPage() {
  const signIn = useSignIn();
  const navigate = useNavigate();
  const location = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const fieldError = (field: string) =>
    signIn.error instanceof ApiError ? signIn.error.fieldMessage(field) : undefined;
  const problem = problemOf(signIn.error);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate(
      { email: email.trim(), password },
      {
        onSuccess: () => {
          const next = (location.state as { next?: string } | null)?.next;
          navigate(next?.startsWith('/settings') ? next : WEBHOOKS_PATH, { replace: true });
        },
      },
    );
  };

  return (
    <Center mih="100vh" p="md" component="main">
      <Stack w={400} gap="lg">
        <Center>
          <KlangLogo size={36} />
        </Center>
        <Paper withBorder shadow="sm" p="xl" radius="lg">
          <form onSubmit={onSubmit} noValidate>
            <Stack gap="md">
              <div>
                <Title order={1} fz={22}>
                  Sign in
                </Title>
                <Text size="sm" c="dimmed" mt={4}>
                  Manage the webhooks of your Klang account.
                </Text>
              </div>
              {problem && (
                <Alert color="red" variant="light" icon={<IconAlertCircle size={18} />} role="alert">
                  {problem}
                </Alert>
              )}
              <TextInput
                label="Email"
                type="email"
                autoComplete="username"
                required
                value={email}
                onChange={(e) => setEmail(e.currentTarget.value)}
                error={fieldError('email') && `Email ${fieldError('email')}`}
                data-autofocus
                autoFocus
              />
              <PasswordInput
                label="Password"
                autoComplete="current-password"
                visibilityToggleButtonProps={{ 'aria-label': 'Show password' }}
                required
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                error={fieldError('password') && `Password ${fieldError('password')}`}
              />
              <Button type="submit" fullWidth loading={signIn.isPending}>
                Sign in
              </Button>
            </Stack>
          </form>
        </Paper>
        <Text size="xs" c="dimmed" ta="center">
          Webhooks are part of the Pro and Team plans.{' '}
          <Anchor href="/docs" size="xs" underline="always">
            API reference
          </Anchor>
        </Text>
      </Stack>
    </Center>
  );
}
