import { describe, expect, it } from 'vitest';
import { wantsPretty } from './logger.ts';

describe('log format', () => {
  it('is readable on a terminal and JSON elsewhere unless told', () => {
    expect(wantsPretty('auto', true)).toBe(true);
    expect(wantsPretty('auto', false)).toBe(false);
    expect(wantsPretty('json', true)).toBe(false);
    expect(wantsPretty('pretty', false)).toBe(true);
  });
});
