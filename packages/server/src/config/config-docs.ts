// Renders docs/config.md from the config schema, so the reference can never drift from the code.
import { configSchema } from './schema.ts';

export function renderConfigDocs(): string {
  const rows = Object.values(configSchema).map((option) => {
    const names = [option.env, ...(('aliases' in option && option.aliases) || [])]
      .map((n) => `\`${n}\``)
      .join(', ');
    const fallback = option.default === undefined ? '*(unset)*' : `\`${option.default}\``;
    return `| ${names} | ${fallback} | ${option.description} Allowed: ${option.allowed}. |`;
  });
  return [
    '# Configuration',
    '',
    '<!-- Generated from packages/server/src/config/schema.ts by `npm run docs`. Do not edit by hand. -->',
    '',
    'Every option is an environment variable; all are optional. The configuration is read once at start;',
    'a bad value stops the process with exit status 2 and one line naming the variable and what is allowed.',
    'Durations take the units `ms`, `s`, `m`, `h` and `d`.',
    '',
    '| Variable | Default | Meaning |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
