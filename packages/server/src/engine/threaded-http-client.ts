// The guarded HTTP client moved to a send thread (send-thread.ts), so sockets, TLS and response
// parsing run on a second core while this thread serves and writes the queue. Requests leave in one
// message per turn; should the thread die, its open requests fail (they are retried) and later sends
// go through a client on this thread.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AttemptOutcome } from '../domain/attempt-outcome.ts';
import {
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  type OutgoingRequest,
} from './http-client.ts';
import type { FromSendThread, ThreadRequest, ToSendThread } from './send-thread.ts';
import { type Signing, signatureOf } from './signing.ts';

export type ThreadedClientOptions = Omit<HttpClientOptions, 'lookup'> & {
  /** Told once when the thread failed and sends fell back to this thread. */
  onProblem?: (message: string) => void;
  /** Starts the thread (tests start one that fails). */
  spawnThread?: (options: HttpClientOptions) => Worker;
};

/** In a source checkout (tests, tsx) the thread loads the TypeScript entry through tsx. */
const SOURCE_BOOT = `
const { workerData } = require('node:worker_threads');
(async () => {
  const { register } = await import(workerData.tsx);
  register();
  await import(workerData.entry);
})();
`;

/** The file URL of tsx's ESM register API, as its package's export map names it. */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const exports = JSON.parse(readFileSync(manifest, 'utf8')).exports['./esm/api'].import;
  return new URL(typeof exports === 'string' ? exports : exports.default, pathToFileURL(manifest)).href;
}

/**
 * The thread's young generation as small as the main thread's (`--max-semi-space-size=4`): what it
 * allocates lives for one attempt, and a larger nursery only raises the process's RSS.
 */
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 12, maxOldGenerationSizeMb: 64 };

function spawn(options: HttpClientOptions): Worker {
  const source = import.meta.url.endsWith('.ts');
  const entry = new URL(source ? './send-thread.ts' : './send-thread.js', import.meta.url);
  const workerData = { sendThread: true, options, entry: entry.href } as Record<string, unknown>;
  if (!source) return new Worker(entry, { workerData, resourceLimits: RESOURCE_LIMITS });
  workerData.tsx = tsxEsmApi();
  return new Worker(SOURCE_BOOT, { eval: true, workerData, resourceLimits: RESOURCE_LIMITS });
}

interface Waiting {
  resolve(answer: { outcome: AttemptOutcome; signature: string | null }): void;
  body: string;
  signing: Signing | null;
}

export interface ThreadedHttpClient extends HttpClient {
  /**
   * Resolves once the thread is up (or failed, and sends go from this thread): the time an attempt
   * starts then is the time it is sent, not a thread's start-up.
   */
  ready: Promise<void>;
}

export function createThreadedHttpClient(settings: ThreadedClientOptions): ThreadedHttpClient {
  const { onProblem, spawnThread = spawn, ...options } = settings;
  const worker = spawnThread(options);
  worker.unref();
  const waiting = new Map<number, Waiting>();
  let outbox: ThreadRequest[] = [];
  let nextId = 1;
  let fallback: HttpClient | undefined;
  let closing: Promise<void> | undefined;
  let closed: (() => void) | undefined;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  const flush = () => {
    const batch = outbox;
    outbox = [];
    if (batch.length > 0 && !fallback) worker.postMessage({ kind: 'send', batch } satisfies ToSendThread);
  };

  /** The open requests fail (they may have been sent: retried as any failure); later ones go from here. */
  function fail(why: string): void {
    if (fallback) return;
    fallback = createHttpClient(options);
    markReady();
    if (!closing) onProblem?.(`${why}; sending from the main thread from now on`);
    const message = `the send thread stopped (${why})`;
    for (const [, open] of waiting) {
      open.resolve({
        outcome: { outcome: 'failed', error: 'network_error', message, durationMs: 0 },
        signature: open.signing ? signatureOf(open.signing, open.body) : null,
      });
    }
    waiting.clear();
    outbox = [];
  }

  worker.on('message', (message: FromSendThread) => {
    if (message.kind === 'closed') {
      closed?.();
      return;
    }
    if (message.kind === 'ready') {
      markReady();
      return;
    }
    for (const [id, outcome, signature] of message.batch) {
      waiting.get(id)?.resolve({ outcome, signature });
      waiting.delete(id);
    }
    if (waiting.size === 0) worker.unref();
  });
  worker.on('error', (error) => fail(`the send thread failed: ${error.message}`));
  worker.on('exit', (code) => {
    fail(`the send thread exited (code ${code})`);
    closed?.();
  });

  function post(request: OutgoingRequest, signing: Signing | null) {
    const id = nextId++;
    if (waiting.size === 0) worker.ref();
    if (outbox.length === 0) queueMicrotask(flush);
    outbox.push([id, request, signing]);
    return new Promise<{ outcome: AttemptOutcome; signature: string | null }>((resolve) =>
      waiting.set(id, { resolve, body: request.body, signing }),
    );
  }

  return {
    ready,
    async send(request) {
      if (fallback) return fallback.send(request);
      return (await post(request, null)).outcome;
    },
    async sendSigned(request, signing) {
      if (fallback) return fallback.sendSigned(request, signing);
      const { outcome, signature } = await post(request, signing);
      return { outcome, signature: signature ?? signatureOf(signing, request.body) };
    },
    close() {
      closing ??= (async () => {
        if (!fallback) {
          const done = new Promise<void>((resolve) => {
            closed = resolve;
          });
          worker.ref();
          worker.postMessage({ kind: 'close' } satisfies ToSendThread);
          await done;
          await worker.terminate();
        }
        await fallback?.close();
      })();
      return closing;
    },
  };
}
