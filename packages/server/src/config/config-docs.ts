// Renders docs/config.md from the config schema, so the reference can never drift from the code.
import { clientConfigSchema } from './client-config.ts';
import { configSchema, type Option } from './schema.ts';

function rows(options: readonly (Option<unknown> & { aliases?: readonly string[] })[]): string[] {
  return options.map((option) => {
    const names = [option.env, ...(('aliases' in option && option.aliases) || [])]
      .map((n) => `\`${n}\``)
      .join(', ');
    const fallback = option.default === undefined ? '*(unset)*' : `\`${option.default}\``;
    return `| ${names} | ${fallback} | ${option.description} Allowed: ${option.allowed}. |`;
  });
}

export function renderConfigDocs(): string {
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
    ...rows(Object.values(configSchema)),
    '',
    '## User commands',
    '',
    'Read by `klang-webhooks login`, `webhooks`, `attempts`, `deliveries` and `listen`, which talk to a',
    'running server over the User API (the server ignores them).',
    '',
    '| Variable | Default | Meaning |',
    '|---|---|---|',
    ...rows(Object.values(clientConfigSchema)),
    '',
  ].join('\n');
}
