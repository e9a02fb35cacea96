// The body of a send thread: the guarded HTTP client running beside the event loop that serves and
// writes the queue. It takes batches of requests from its port and answers batches of outcomes, one
// message per turn of its own event loop each way.
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { AttemptOutcome } from '../domain/attempt-outcome.ts';
import { createHttpClient, type HttpClientOptions, type OutgoingRequest } from './http-client.ts';
import type { Signing } from './signing.ts';

/** One request by number, signed in the thread when it comes with its signing. */
export type ThreadRequest = [id: number, request: OutgoingRequest, signing: Signing | null];
/** One outcome by request number, with the signature the thread sent (null when unsigned). */
export type ThreadOutcome = [id: number, outcome: AttemptOutcome, signature: string | null];

/** Main thread → send thread: requests to send, or a request to close. */
export type ToSendThread = { kind: 'send'; batch: ThreadRequest[] } | { kind: 'close' };

/** Send thread → main thread: ready to send, outcomes, or the thread's closing. */
export type FromSendThread =
  | { kind: 'ready' }
  | { kind: 'outcomes'; batch: ThreadOutcome[] }
  | { kind: 'closed' };

/** Runs the client on `port` until asked to close. */
export function serveSends(port: MessagePort, options: HttpClientOptions): void {
  const client = createHttpClient(options);
  let answers: ThreadOutcome[] = [];
  let flushing = false;
  const flush = () => {
    flushing = false;
    const batch = answers;
    answers = [];
    port.postMessage({ kind: 'outcomes', batch } satisfies FromSendThread);
  };
  const answer = (item: ThreadOutcome) => {
    answers.push(item);
    if (!flushing) {
      flushing = true;
      setImmediate(flush);
    }
  };
  port.on('message', (message: ToSendThread) => {
    if (message.kind === 'close') {
      void client.close().finally(() => {
        port.postMessage({ kind: 'closed' } satisfies FromSendThread);
        port.close();
      });
      return;
    }
    for (const [id, request, signing] of message.batch) {
      if (signing) void client.sendSigned(request, signing).then((r) => answer([id, r.outcome, r.signature]));
      else void client.send(request).then((outcome) => answer([id, outcome, null]));
    }
  });
  port.postMessage({ kind: 'ready' } satisfies FromSendThread);
}

if (parentPort && (workerData as { sendThread?: boolean } | undefined)?.sendThread) {
  serveSends(parentPort, (workerData as { options: HttpClientOptions }).options);
}
