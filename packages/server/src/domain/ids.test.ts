// ULIDs: 26 lowercase Crockford characters, time first, strictly increasing within a millisecond and
// when the clock steps back, never repeated across many milliseconds (randomness drawn in blocks).
import { describe, expect, it } from 'vitest';
import { newId, ulid } from './ids.ts';

const CROCKFORD = /^[0-9abcdefghjkmnpqrstvwxyz]{26}$/;
const decodeTime = (id: string) =>
  [...id.slice(0, 10)].reduce((ms, c) => ms * 32 + '0123456789abcdefghjkmnpqrstvwxyz'.indexOf(c), 0);

describe('ulid', () => {
  it('encodes the time in the first 10 characters', () => {
    const at = Date.UTC(2026, 11, 1, 12, 0, 0, 123) + 10_000_000;
    const id = ulid(at);
    expect(id).toMatch(CROCKFORD);
    expect(decodeTime(id)).toBe(at);
  });

  it('increases strictly within one millisecond', () => {
    const at = Date.now() + 20_000_000;
    const ids = Array.from({ length: 5_000 }, () => ulid(at));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps increasing when the clock steps back', () => {
    const at = Date.now() + 30_000_000;
    const first = ulid(at);
    const second = ulid(at - 5_000);
    expect(second > first).toBe(true);
    expect(decodeTime(second)).toBe(at);
  });

  it('never repeats over many milliseconds (more than one block of randomness)', () => {
    const start = Date.now() + 40_000_000;
    const ids = Array.from({ length: 3_000 }, (_, i) => ulid(start + i));
    expect(new Set(ids.map((id) => id.slice(10))).size).toBe(ids.length);
    expect(ids.map(decodeTime)).toEqual(ids.map((_, i) => start + i));
  });

  it('prefixes ids by kind', () => {
    expect(newId.attempt()).toMatch(/^att_[0-9a-z]{26}$/);
    expect(newId.testEvent()).toMatch(/^evt_test_[0-9a-z]{26}$/);
  });
});
