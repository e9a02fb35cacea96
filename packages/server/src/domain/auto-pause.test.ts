import { describe, expect, it } from 'vitest';
import {
  type AttemptResult,
  applyChange,
  autoPauseReason,
  foldResults,
  shouldAutoPause,
} from './auto-pause.ts';

const S: AttemptResult = 'succeeded';
const F: AttemptResult = 'failed';

describe('auto-pause rule', () => {
  it.each([
    [[], 3, 3],
    [[F], 3, 4],
    [[F, F, F], 0, 3],
    [[S], 24, 0],
    [[F, S], 10, 0],
    [[S, F], 10, 1],
    [[F, S, F, F], 10, 2],
    [[S, S], 7, 0],
  ] as [AttemptResult[], number, number][])(
    'results %j on a count of %i leave %i',
    (results, before, after) => {
      expect(applyChange(before, foldResults(results))).toBe(after);
    },
  );

  it.each([
    ['active', 24, 25, false],
    ['active', 25, 25, true],
    ['active', 30, 25, true],
    ['paused', 30, 25, false],
    ['auto_paused', 30, 25, false],
    ['active', 1, 1, true],
  ])('%s webhook with %i failures and threshold %i pauses: %s', (status, count, threshold, expected) => {
    expect(shouldAutoPause(status, count, threshold)).toBe(expected);
  });

  it('counts 25 single failures to the pause and a success after 24 back to zero', () => {
    let count = 0;
    for (let i = 0; i < 24; i++) count = applyChange(count, foldResults([F]));
    expect(shouldAutoPause('active', count, 25)).toBe(false);
    expect(applyChange(count, foldResults([S]))).toBe(0);
    count = applyChange(count, foldResults([F]));
    expect(shouldAutoPause('active', count, 25)).toBe(true);
  });

  it('explains the pause', () => {
    expect(autoPauseReason(25)).toContain('25 consecutive failed attempts');
  });
});
