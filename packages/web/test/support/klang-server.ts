// A real Klang Webhooks server for browser tests: `klang-webhooks serve` in a child process on a
// fresh SQLite file and a free port, private targets allowed so webhooks can point at 127.0.0.1.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../server/bin/klang-webhooks-dev.mjs', import.meta.url));
export const INGEST_TOKEN = 'browser-test-ingest-token-0123456789';

export interface KlangServer {
  url: string;
  demo: { email: string; password: string };
  /** Calls the host API as the Klang product would. */
  host(method: 'PUT' | 'POST', path: string, body: unknown): Promise<Response>;
  stop(): Promise<void>;
}

async function waitFor(output: () => string, pattern: RegExp, child: ChildProcess, timeoutMs = 40_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = output().match(pattern);
    if (match) return match;
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`server output did not match ${pattern}:\n${output()}`);
}

export async function startKlangServer(env: Record<string, string> = {}): Promise<KlangServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'klang-browser-'));
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KLANG_DATA_DIR: dataDir,
      KLANG_DATABASE_URL: `sqlite:${join(dataDir, 'klang.db')}`,
      KLANG_PORT: '0',
      KLANG_ALLOW_PRIVATE_TARGETS: 'true',
      KLANG_INGEST_TOKEN: INGEST_TOKEN,
      KLANG_LOG_LEVEL: 'warn',
      ...env,
    },
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const [, url] = await waitFor(() => output, /running at (http:\/\/\S+)/, child);
  const [, email, password] = await waitFor(() => output, /Sign in:\s+(\S+) \/ (\S+)/, child);
  return {
    url: url!,
    demo: { email: email!, password: password! },
    host: (method, path, body) =>
      fetch(`${url}/internal/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
