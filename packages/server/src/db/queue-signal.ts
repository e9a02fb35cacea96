// Wakes idle workers when deliveries become due. In-process for SQLite (publisher and worker share
// the process); PostgreSQL adds LISTEN/NOTIFY across processes (see engine).
import { EventEmitter } from 'node:events';

export interface QueueSignal {
  /** Announce that new work was committed. Cheap; coalesced. */
  notify(): void;
  /** Subscribe to wake-ups; returns the unsubscribe function. */
  onWake(listener: () => void): () => void;
  close(): Promise<void>;
}

export function createLocalQueueSignal(): QueueSignal {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  let scheduled = false;
  return {
    notify() {
      if (scheduled) return;
      scheduled = true;
      queueMicrotask(() => {
        scheduled = false;
        emitter.emit('wake');
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
