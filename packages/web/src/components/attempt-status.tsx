// What an attempt got: the HTTP status as a coloured badge, or the error that stopped it.
import { Badge } from '@mantine/core';
import type { AttemptSummary } from '../api/client.ts';

const ERROR_LABELS: Record<string, string> = {
  redirect: 'Redirect',
  timeout: 'Timeout',
  connection_refused: 'Connection refused',
  connection_reset: 'Connection reset',
  dns_error: 'DNS error',
  tls_error: 'TLS error',
  blocked_address: 'Blocked address',
  network_error: 'Network error',
  internal_error: 'Not sent',
};

export function attemptStatusLabel(attempt: Pick<AttemptSummary, 'response_status' | 'error'>): string {
  if (attempt.response_status !== null) return String(attempt.response_status);
  return ERROR_LABELS[attempt.error ?? ''] ?? attempt.error ?? '—';
}

export function AttemptStatus({ attempt }: { attempt: AttemptSummary }) {
  const color = attempt.outcome === 'succeeded' ? 'teal' : 'red';
  return (
    <Badge color={color} variant="light" radius="sm" className="mono" tt="none">
      {attemptStatusLabel(attempt)}
    </Badge>
  );
}
