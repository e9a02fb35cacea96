// Wakes idle workers when deliveries become due. In-process for SQLite (publisher and worker share
// the process); PostgreSQL adds LISTEN/NOTIFY across processes (see engine).
import { EventEmitter } from 'node:events';

export interface QueueSignal {
  /**
   * Announce that new work was committed, for these webhooks only when given (new deliveries);
   * without them, for any (a resend, a resume). Cheap; coalesced.
   */
  notify(webhookIds?: readonly string[]): void;
  /**
   * Subscribe to wake-ups; returns the unsubscribe function. The listener gets the webhooks the
   * coalesced announcements named, or undefined when one of them named none.
   */
  onWake(listener: (webhookIds: ReadonlySet<string> | undefined) => void): () => void;
  close(): Promise<void>;
}

export function createLocalQueueSignal(): QueueSignal {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  let scheduled = false;
  /** The webhooks named since the last wake-up; undefined once an announcement named none. */
  let named: Set<string> | undefined = new Set();
  return {
    notify(webhookIds) {
      if (!webhookIds) named = undefined;
      else if (named) for (const id of webhookIds) named.add(id);
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(() => {
        scheduled = false;
        const wake = named;
        named = new Set();
        emitter.emit('wake', wake);
      });
    },
    onWake(listener) {
      emitter.on('wake', listener);
      return () => emitter.off('wake', listener);
    },
    async close() {
      emitter.removeAllListeners();
    },
  };
}
