// First-start setup of the embedded mode: the data dir with a generated secret key and ingest token
// (owner-only files), and the demo account; PostgreSQL deployments must configure both secrets.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from './config/load-config.ts';
import type { Config } from './config/schema.ts';

export interface Secrets {
  secretKey: Buffer;
  ingestToken: string;
  /** True when this call generated at least one of them. */
  generated: boolean;
}

export const isEmbedded = (config: Config): boolean => config.databaseUrl.startsWith('sqlite:');

function ensureDataDir(config: Config): string {
  const dir = resolve(config.dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Reads a file of the data dir, creating it (mode 600) with `create()` when missing. */
function readOrCreate(file: string, create: () => string): { value: string; created: boolean } {
  if (existsSync(file)) return { value: readFileSync(file, 'utf8').trim(), created: false };
  const value = create();
  writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { value, created: true };
}

/** The secret key and ingest token: from config, else (embedded only) from the data dir. */
export function resolveSecrets(config: Config): Secrets {
  if (!isEmbedded(config)) {
    if (!config.secretKey)
      throw new ConfigError(
        'KLANG_SECRET_KEY',
        'KLANG_SECRET_KEY is required with PostgreSQL: 32 bytes as 64 hex characters or base64',
      );
    if (!config.ingestToken)
      throw new ConfigError(
        'KLANG_INGEST_TOKEN',
        'KLANG_INGEST_TOKEN is required with PostgreSQL: any string of 16 or more characters',
      );
    return { secretKey: config.secretKey, ingestToken: config.ingestToken, generated: false };
  }
  const dir = config.secretKey && config.ingestToken ? undefined : ensureDataDir(config);
  const key = config.secretKey
    ? { value: config.secretKey.toString('hex'), created: false }
    : readOrCreate(join(dir!, 'secret.key'), () => randomBytes(32).toString('hex'));
  const token = config.ingestToken
    ? { value: config.ingestToken, created: false }
    : readOrCreate(join(dir!, 'ingest.token'), () => `kit_${randomBytes(24).toString('base64url')}`);
  const secretKey = Buffer.from(key.value, 'hex');
  if (secretKey.length !== 32)
    throw new ConfigError(
      'KLANG_SECRET_KEY',
      `${join(config.dataDir, 'secret.key')} does not hold 64 hex characters`,
    );
  return { secretKey, ingestToken: token.value, generated: key.created || token.created };
}

export interface DemoCredentials {
  email: string;
  password: string;
}

/** The demo sign-in, kept in the data dir so a restart can print it again. */
export function demoCredentials(config: Config): { credentials: DemoCredentials; created: boolean } {
  const file = join(ensureDataDir(config), 'demo-credentials.json');
  const { value, created } = readOrCreate(file, () =>
    JSON.stringify({ email: 'demo@klang.example', password: randomBytes(9).toString('base64url') }),
  );
  return { credentials: JSON.parse(value) as DemoCredentials, created };
}
