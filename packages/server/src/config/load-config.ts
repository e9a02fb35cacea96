// Loads the configuration once from an environment map; the only reader of process.env.
import { join } from 'node:path';
import { type Config, type ConfigKey, configSchema } from './schema.ts';

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses every option; throws ConfigError naming the first bad variable. The result is frozen. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const values: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(configSchema) as [
    ConfigKey,
    (typeof configSchema)[ConfigKey],
  ][]) {
    const names = [option.env, ...(('aliases' in option && option.aliases) || [])];
    const name = names.find((candidate) => env[candidate] !== undefined && env[candidate] !== '');
    const raw = name ? env[name] : option.default;
    if (raw === undefined) {
      values[key] = undefined;
      continue;
    }
    const parsed = option.parse(raw);
    if (parsed === undefined) {
      const shown =
        'secret' in option && option.secret
          ? `${name ?? option.env} is not valid (value not shown)`
          : `${name ?? option.env}=${JSON.stringify(raw)} is not valid`;
      throw new ConfigError(option.env, `${shown}: expected ${option.allowed}`);
    }
    values[key] = parsed;
  }
  // Without an explicit database, the embedded one lives in the data dir.
  if (!env.KLANG_DATABASE_URL && !env.DATABASE_URL)
    values.databaseUrl = `sqlite:${join(String(values.dataDir), 'klang.db')}`;
  return Object.freeze(values) as Config;
}

export type { Config };
