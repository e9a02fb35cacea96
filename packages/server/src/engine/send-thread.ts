// The body of a send thread: the guarded HTTP client running beside the event loop that serves and
// writes the queue. It takes batches of requests from its port and answers batches of outcomes, one
// message per turn of its own event loop each way.
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import type { AttemptOutcome } from '../domain/attempt-outcome.ts';
import { createHttpClient, type HttpClientOptions, type OutgoingRequest } from './http-client.ts';

/** Main thread → send thread: requests to send, or a request to close. */
export type ToSendThread = { kind: 'send'; batch: [number, OutgoingRequest][] } | { kind: 'close' };

/** Send thread → main thread: outcomes by request number, or the thread's closing. */
export type FromSendThread = { kind: 'outcomes'; batch: [number, AttemptOutcome][] } | { kind: 'closed' };

/** Runs the client on `port` until asked to close. */
export function serveSends(port: MessagePort, options: HttpClientOptions): void {
  const client = createHttpClient(options);
  let answers: [number, AttemptOutcome][] = [];
  let flushing = false;
  const flush = () => {
    flushing = false;
    const batch = answers;
    answers = [];
    port.postMessage({ kind: 'outcomes', batch } satisfies FromSendThread);
  };
  port.on('message', (message: ToSendThread) => {
    if (message.kind === 'close') {
      void client.close().finally(() => {
        port.postMessage({ kind: 'closed' } satisfies FromSendThread);
        port.close();
      });
      return;
    }
    for (const [id, request] of message.batch) {
      void client.send(request).then((outcome) => {
        answers.push([id, outcome]);
        if (!flushing) {
          flushing = true;
          setImmediate(flush);
        }
      });
    }
  });
}

if (parentPort && (workerData as { sendThread?: boolean } | undefined)?.sendThread) {
  serveSends(parentPort, (workerData as { options: HttpClientOptions }).options);
}
