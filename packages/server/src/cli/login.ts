// `klang-webhooks login`: checks an API token (given, or asked for), or signs in with email and
// password and creates one, then stores it in the user's config dir (mode 0600).
import { hostname } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { loadClientConfig } from '../config/client-config.ts';
import { type ApiClient, ApiError, createApiClient } from './api-client.ts';
import { type ClientOptions, clientOptions, resolveApiUrl } from './context.ts';
import { writeCredentials } from './credentials.ts';
import { fields, print } from './output.ts';

interface LoginOptions extends ClientOptions {
  email?: string;
  password?: string;
  name?: string;
}

/** Reads one line from stdin after a prompt on stderr; typed characters are not echoed on a terminal. */
async function ask(question: string, hidden: boolean): Promise<string> {
  const prompt = createInterface({
    input: process.stdin,
    output: process.stderr,
    terminal: process.stdin.isTTY,
  });
  if (hidden && process.stdin.isTTY) {
    const rl = prompt as unknown as { _writeToOutput(text: string): void };
    rl._writeToOutput = (text: string) => {
      if (text.startsWith(question)) process.stderr.write(question);
    };
  }
  try {
    const answer = await prompt.question(question);
    if (hidden && process.stdin.isTTY) process.stderr.write('\n');
    return answer.trim();
  } finally {
    prompt.close();
  }
}

/** Signs in with the password, creates an API token with the session, then ends the session. */
async function tokenFromPassword(
  apiUrl: string,
  email: string,
  password: string,
  name: string,
): Promise<string> {
  const anonymous = createApiClient(apiUrl);
  const session = await anonymous.send('POST', '/session', { body: { email, password } });
  const { csrf_token: csrf } = (await session.json()) as { csrf_token: string };
  const cookie = session.headers
    .getSetCookie()
    .map((value) => value.split(';')[0])
    .join('; ');
  const headers = { cookie, 'x-csrf-token': csrf };
  const created = await anonymous.json<{ token: string }>('POST', '/tokens', { body: { name }, headers });
  await anonymous.send('DELETE', '/session', { headers }).catch(() => undefined);
  return created.token;
}

async function obtainToken(apiUrl: string, options: LoginOptions): Promise<string> {
  if (options.token) return options.token;
  if (options.email) {
    const password = options.password ?? (await ask('Password: ', true));
    return tokenFromPassword(
      apiUrl,
      options.email,
      password,
      options.name ?? `klang-webhooks CLI on ${hostname()}`,
    );
  }
  const token = await ask(
    'API token (create one in the web UI or with `klang-webhooks tokens create`): ',
    true,
  );
  if (!token) throw new InvalidArgumentError('No token given.');
  return token;
}

async function login(options: LoginOptions): Promise<void> {
  const apiUrl = resolveApiUrl(options);
  const token = await obtainToken(apiUrl, options);
  const client: ApiClient = createApiClient(apiUrl, token);
  const me = await client.me().catch((error: unknown) => {
    if (error instanceof ApiError && error.status === 401) {
      throw new ApiError(401, error.code, `The server refused the token: ${error.message}`);
    }
    throw error;
  });
  const path = loadClientConfig().credentialsPath;
  writeCredentials(path, { api_url: apiUrl, token, email: me.email });
  print(options, { user: me, api_url: apiUrl, credentials: path }, () =>
    fields([
      ['Signed in as', `${me.email} (${me.plan})`],
      ['Server', apiUrl],
      ['Token saved in', path],
    ]),
  );
}

export function registerLogin(program: Command): void {
  clientOptions(
    program
      .command('login')
      .description('Sign in to a server and store an API token for the other user commands')
      .option('--email <email>', 'sign in with this account and create an API token')
      .option('--password <password>', 'with --email (asked for when left out)')
      .option('--name <name>', 'name of the API token created with --email'),
  ).action(login);
}
