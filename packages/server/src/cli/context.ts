// What every user command shares: the options --api-url, --token and --json, and the client built
// from them, the environment (KLANG_API_URL, KLANG_API_TOKEN) or the credentials stored by `login`.
import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_API_URL, loadClientConfig, parseApiUrl } from '../config/client-config.ts';
import { type ApiClient, createApiClient } from './api-client.ts';
import { readCredentials } from './credentials.ts';

export interface ClientOptions {
  apiUrl?: string;
  token?: string;
  json?: boolean;
}

const apiUrlArgument = (raw: string): string => {
  const url = parseApiUrl(raw);
  if (!url) throw new InvalidArgumentError('expected an http(s) URL');
  return url;
};

/** Adds --api-url, --token and --json to a user command. */
export function clientOptions(command: Command): Command {
  return command
    .option(
      '--api-url <url>',
      `server URL (default: KLANG_API_URL, the URL stored by login, or ${DEFAULT_API_URL})`,
      apiUrlArgument,
    )
    .option('--token <token>', 'API token (default: KLANG_API_TOKEN or the token stored by login)')
    .option('--json', 'print the server’s JSON answer');
}

export function resolveApiUrl(options: ClientOptions): string {
  const config = loadClientConfig();
  return (
    options.apiUrl ?? config.apiUrl ?? readCredentials(config.credentialsPath)?.api_url ?? DEFAULT_API_URL
  );
}

/** A client with a token; exits with a hint when there is none. */
export function authedClient(options: ClientOptions): ApiClient {
  const config = loadClientConfig();
  const stored = readCredentials(config.credentialsPath);
  const token = options.token ?? config.apiToken ?? stored?.token;
  if (!token) {
    throw new InvalidArgumentError(
      'Not signed in: run `klang-webhooks login`, or pass --token or set KLANG_API_TOKEN.',
    );
  }
  return createApiClient(resolveApiUrl(options), token);
}
