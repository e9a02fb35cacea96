// The plain-language hint of a failed attempt, linked to its troubleshooting section.
import { Alert, Anchor, Text } from '@mantine/core';
import { IconBulb } from '@tabler/icons-react';
import { failureHint, hintLink } from '../lib/failure-hints.ts';

interface FailureHintProps {
  attempt: { outcome: 'succeeded' | 'failed'; error: string | null; response_status: number | null };
  compact?: boolean;
}

export function FailureHint({ attempt, compact }: FailureHintProps) {
  const hint = failureHint(attempt);
  if (!hint) return null;
  const link = (
    <Anchor href={hintLink(hint)} target="_blank" size={compact ? 'xs' : 'sm'} underline="always">
      Troubleshooting
    </Anchor>
  );
  if (compact) {
    return (
      <Text size="xs" c="dimmed" data-testid="failure-hint">
        {hint.text} {link}
      </Text>
    );
  }
  return (
    <Alert
      variant="light"
      color="yellow"
      icon={<IconBulb size={18} />}
      title={hint.title}
      data-testid="failure-hint"
    >
      <Text size="sm">
        {hint.text} {link}
      </Text>
    </Alert>
  );
}
