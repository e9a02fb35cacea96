// A time in the viewer's time zone, with the exact UTC instant on hover.
import { Text, type TextProps, Tooltip } from '@mantine/core';
import { formatTime, formatUtc } from '../lib/format.ts';

export function TimeText({ iso, ...props }: { iso: string } & TextProps) {
  return (
    <Tooltip label={formatUtc(iso)}>
      <Text component="time" dateTime={iso} size="sm" {...props}>
        {formatTime(iso)}
      </Text>
    </Tooltip>
  );
}
