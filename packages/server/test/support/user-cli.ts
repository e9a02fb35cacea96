// A real server process and the user commands run against it, each in a child process with its own
// config dir; a local receiver recording requests; polling with a deadline.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliResult, runCli, type ServerProcess, startServer } from './cli-process.ts';

export interface UserServer {
  url: string;
  email: string;
  password: string;
  server: ServerProcess;
  /** Runs a user command with this server's URL and the test's own config dir. */
  cli(args: string[], env?: Record<string, string>): Promise<CliResult>;
  configDir: string;
  cwd: string;
  stop(): Promise<void>;
}

/** `serve` in a fresh data dir (demo account on), on a free port. */
export async function startUserServer(env: Record<string, string> = {}): Promise<UserServer> {
  const cwd = mkdtempSync(join(tmpdir(), 'klang-user-cli-'));
  const configDir = join(cwd, 'config');
  const server = startServer(['serve'], { KLANG_PORT: '0', ...env }, cwd);
  const [, url] = await server.waitForOutput(/running at (http:\/\/\S+)/);
  const [, email, password] = await server.waitForOutput(/Sign in:\s+(\S+) \/ (\S+)/);
  const baseEnv = { XDG_CONFIG_HOME: configDir, KLANG_API_URL: url! };
  return {
    url: url!,
    email: email!,
    password: password!,
    server,
    configDir,
    cwd,
    cli: (args, extra = {}) => runCli(args, { ...baseEnv, ...extra }, cwd, 30_000),
    async stop() {
      server.child.kill('SIGTERM');
      await server.exited;
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

export interface ReceivedRequest {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

/** An HTTP receiver on 127.0.0.1 answering every request with `status` and a small JSON body. */
export async function startReceiver(status = 200): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ url: request.url ?? '', headers: request.headers, body });
      response.writeHead(status, { 'content-type': 'application/json', 'x-receiver': 'local' });
      response.end(JSON.stringify({ received: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Calls `read` until `done` accepts its value, or fails at the deadline. */
export async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!done(last)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met in time; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}

/** A port nothing listens on (one just released). */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
