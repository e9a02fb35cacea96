import { describe, expect, it } from 'vitest';
import { createEndpointLimits } from './endpoint-limits.ts';

describe('adaptive endpoint limits', () => {
  it('halves on each timeout down to 1 and grows back by one per success to the maximum', () => {
    const limits = createEndpointLimits(8);
    expect(limits.limit('wh')).toBe(8);
    const afterTimeouts = [4, 2, 1, 1].map(() => {
      limits.observe('wh', 'timeout');
      return limits.limit('wh');
    });
    expect(afterTimeouts).toEqual([4, 2, 1, 1]);
    const afterSuccesses = Array.from({ length: 9 }, () => {
      limits.observe('wh', 'succeeded');
      return limits.limit('wh');
    });
    expect(afterSuccesses).toEqual([2, 3, 4, 5, 6, 7, 8, 8, 8]);
  });

  it('keeps each webhook apart and leaves the cap alone on other failures', () => {
    const limits = createEndpointLimits(4);
    limits.observe('slow', 'timeout');
    limits.observe('broken', 'other');
    expect([limits.limit('slow'), limits.limit('broken'), limits.limit('new')]).toEqual([2, 4, 4]);
  });
});
