// The auto-pause rule: a webhook's consecutive failed attempts, any success resetting the count,
// and the threshold at which an active webhook is paused automatically. Pure.

export type AttemptResult = 'succeeded' | 'failed';

/** How a run of results (in order) changes the stored counter: reset to `add`, or increase by `add`. */
export interface FailureCountChange {
  reset: boolean;
  add: number;
}

/** Folds the results of several attempts of one webhook, oldest first, into one counter change. */
export function foldResults(results: readonly AttemptResult[]): FailureCountChange {
  const lastSuccess = results.lastIndexOf('succeeded');
  if (lastSuccess < 0) return { reset: false, add: results.length };
  return { reset: true, add: results.length - lastSuccess - 1 };
}

/** The counter after applying a change. */
export const applyChange = (current: number, change: FailureCountChange): number =>
  change.reset ? change.add : current + change.add;

/** An active webhook pauses itself once its consecutive failures reach the threshold. */
export const shouldAutoPause = (status: string, consecutiveFailures: number, threshold: number): boolean =>
  status === 'active' && consecutiveFailures >= threshold;

/** The status reason shown with an auto-paused webhook. */
export const autoPauseReason = (threshold: number): string =>
  `Paused automatically after ${threshold} consecutive failed attempts.`;
