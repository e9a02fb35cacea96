// Settings of the user commands (login, webhooks, attempts, deliveries, listen): the API to talk to,
// the token, and where `login` keeps it. Read from an environment map, like the server's config.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './load-config.ts';
import type { Option } from './schema.ts';

export const clientConfigSchema = {
  apiUrl: {
    env: 'KLANG_API_URL',
    default: 'http://127.0.0.1:3000',
    description:
      'Base URL of the server the user commands (`login`, `webhooks`, `attempts`, `deliveries`, `listen`) talk to; `--api-url` overrides it, and it overrides the URL stored by `login`.',
    allowed: 'an http(s) URL',
    parse: (raw: string) => (/^https?:\/\/\S+$/.test(raw) ? raw.replace(/\/+$/, '') : undefined),
  },
  apiToken: {
    env: 'KLANG_API_TOKEN',
    default: undefined,
    description:
      'API token of the user commands; `--token` overrides it, and it overrides the token stored by `login` in `$XDG_CONFIG_HOME/klang-webhooks/credentials.json` (default `~/.config/…`).',
    allowed: 'an API token (kwt_…)',
    secret: true,
    parse: (raw: string) => (raw.trim().length > 0 ? raw.trim() : undefined),
  },
} as const satisfies Record<string, Option<string>>;

export interface ClientConfig {
  /** From the environment; undefined when unset (the default applies after the stored URL). */
  apiUrl: string | undefined;
  apiToken: string | undefined;
  /** Where `login` stores the token. */
  credentialsPath: string;
}

export const DEFAULT_API_URL = clientConfigSchema.apiUrl.default;

function read(option: Option<string>, env: Record<string, string | undefined>): string | undefined {
  const raw = env[option.env];
  if (raw === undefined || raw === '') return undefined;
  const parsed = option.parse(raw);
  if (parsed !== undefined) return parsed;
  const shown = option.secret
    ? `${option.env} is not valid (value not shown)`
    : `${option.env}=${JSON.stringify(raw)} is not valid`;
  throw new ConfigError(option.env, `${shown}: expected ${option.allowed}`);
}

/** `$XDG_CONFIG_HOME/klang-webhooks/credentials.json`, else `~/.config/klang-webhooks/credentials.json`. */
export function credentialsPath(env: Record<string, string | undefined>): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'klang-webhooks', 'credentials.json');
}

export function loadClientConfig(env: Record<string, string | undefined> = process.env): ClientConfig {
  return {
    apiUrl: read(clientConfigSchema.apiUrl, env),
    apiToken: read(clientConfigSchema.apiToken, env),
    credentialsPath: credentialsPath(env),
  };
}

/** A `--api-url` value, checked like KLANG_API_URL. */
export function parseApiUrl(raw: string): string | undefined {
  return clientConfigSchema.apiUrl.parse(raw);
}
