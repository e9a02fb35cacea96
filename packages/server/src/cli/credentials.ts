// The token `login` stores: a JSON file in the user's config dir, readable by its owner only (0600).
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface StoredCredentials {
  api_url: string;
  token: string;
  email?: string;
}

export function readCredentials(path: string): StoredCredentials | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<StoredCredentials>;
    return typeof parsed.token === 'string' && typeof parsed.api_url === 'string'
      ? (parsed as StoredCredentials)
      : undefined;
  } catch {
    return undefined;
  }
}

export function writeCredentials(path: string, credentials: StoredCredentials): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  // An existing file keeps its mode on write; make sure it is the owner's only.
  chmodSync(path, 0o600);
}
