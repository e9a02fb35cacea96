// When the worker's idle timer should fire for the next retry: the earliest future due time, read
// from the queue at most once per poll interval (or once the known one has been scanned), merged
// with the retries this worker recorded itself, so those need no query.
export interface NextDue {
  /** A retry this worker recorded (its result is durable). */
  note(at: number): void;
  /** The earliest due time after `lastScanAt` known or read now; undefined when none. */
  get(lastScanAt: number): Promise<number | undefined>;
}

export function createNextDue(
  read: (after: number) => Promise<number | undefined>,
  pollIntervalMs: number,
): NextDue {
  let known: { at: number | undefined; readAt: number } | undefined;
  /** The earliest retry recorded since the last read (Infinity: none). */
  let noted = Number.POSITIVE_INFINITY;
  return {
    note(at) {
      noted = Math.min(noted, at);
    },
    async get(lastScanAt) {
      if (noted <= lastScanAt) {
        // A scan has seen it; the next one may only be in the database.
        noted = Number.POSITIVE_INFINITY;
        known = undefined;
      }
      const now = Date.now();
      const stale =
        !known || now - known.readAt >= pollIntervalMs || (known.at !== undefined && known.at <= lastScanAt);
      // From the last scan's horizon: a retry that became due since then is not missed.
      if (stale) known = { at: await read(lastScanAt), readAt: now };
      // Retries recorded while the read ran are in `noted`, not in its answer.
      const at = Math.min(known?.at ?? Number.POSITIVE_INFINITY, noted);
      return at === Number.POSITIVE_INFINITY ? undefined : at;
    },
  };
}
