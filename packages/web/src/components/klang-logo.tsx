// Klang's mark and name, as in the header and on the sign-in page.
import { Group, Text } from '@mantine/core';

export function KlangLogo({ size = 28 }: { size?: number }) {
  return (
    <Group gap={8} wrap="nowrap">
      <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
        <rect width="32" height="32" rx="8" fill="var(--mantine-color-indigo-6)" />
        <path
          d="M10 8v16M10 16l9-8M13 13l8 11"
          stroke="#fff"
          strokeWidth="3"
          strokeLinecap="round"
          fill="none"
        />
      </svg>
      <Text fw={700} fz={size * 0.64} lh={1}>
        Klang
      </Text>
    </Group>
  );
}
