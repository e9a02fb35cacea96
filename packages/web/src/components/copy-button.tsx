// Copy: puts a value (or one fetched on demand) on the clipboard and says so for two seconds.
import { Button, type ButtonProps } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useState } from 'react';

interface CopyValueButtonProps extends ButtonProps {
  value: string | (() => Promise<string>);
  label?: string;
}

export function CopyValueButton({ value, label = 'Copy', ...props }: CopyValueButtonProps) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const onClick = async () => {
    try {
      const text = typeof value === 'string' ? value : await value();
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
    setTimeout(() => setState('idle'), 2000);
  };
  return (
    <Button
      variant="default"
      leftSection={
        state === 'copied' ? (
          <IconCheck size={16} color="var(--mantine-color-teal-7)" />
        ) : (
          <IconCopy size={16} />
        )
      }
      onClick={onClick}
      aria-live="polite"
      {...props}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}
    </Button>
  );
}
