// Service processes for crash tests: `klang-webhooks serve` as a child process with its own env,
// the URL it prints, kill -9, and a load generator that posts host events and records the accepted.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

const BIN = fileURLToPath(new URL('../../../bin/klang-webhooks-dev.mjs', import.meta.url));

export interface ServiceProcess {
  child: ChildProcess;
  /** The API URL (roles all/api), once printed. */
  url?: string;
  output(): string;
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

export async function startService(
  env: Record<string, string>,
  role: 'all' | 'api' | 'worker',
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--role', role], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = role === 'worker' ? /worker started/ : /running at (http:\/\/\S+)/;
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setInterval(() => {
      const found = ready.exec(output);
      if (found) {
        clearInterval(timer);
        resolve(found);
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`the service exited early:\n${output}`));
      }
    }, 20);
    setTimeout(() => {
      clearInterval(timer);
      reject(new Error(`the service did not start:\n${output}`));
    }, 20_000).unref();
  });
  return {
    child,
    ...(role === 'worker' ? {} : { url: match[1] }),
    output: () => output,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface LoadResult {
  accepted: string[];
  /** Requests without a 202 (refused, or cut by a kill): their outcome is unknown to the caller. */
  unknown: number;
}

/** Posts `count` events round-robin over the conversations, `concurrency` requests at a time. */
export async function publishEvents(options: {
  url: string;
  token: string;
  conversationIds: string[];
  count: number;
  concurrency: number;
  onAccepted?: (accepted: number) => void;
  /** Checked before each request; true ends the load. */
  shouldStop?: () => boolean;
}): Promise<LoadResult> {
  const accepted: string[] = [];
  let unknown = 0;
  let next = 0;
  async function lane() {
    while (next < options.count && !options.shouldStop?.()) {
      const index = next++;
      const conversationId = options.conversationIds[index % options.conversationIds.length]!;
      try {
        const response = await request(`${options.url}/internal/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'conversation.ready', conversation_id: conversationId }),
        });
        const body = (await response.body.json()) as { id?: string };
        if (response.statusCode === 202 && body.id) {
          accepted.push(body.id);
          options.onAccepted?.(accepted.length);
        } else unknown++;
      } catch {
        unknown++;
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, lane));
  return { accepted, unknown };
}
