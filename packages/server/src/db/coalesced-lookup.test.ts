import { expect, it } from 'vitest';
import { coalescedLookup } from './coalesced-lookup.ts';

const recording = () => {
  const calls: string[][] = [];
  const lookup = coalescedLookup(async (keys: string[]) => {
    calls.push(keys);
    return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, k.toUpperCase()]));
  }, 3);
  return { calls, lookup };
};

it('reads every key of one turn with one call, each key once', async () => {
  const { calls, lookup } = recording();
  const values = await Promise.all(['a', 'b', 'a', 'missing'].map(lookup));
  expect(values).toEqual(['A', 'B', 'A', undefined]);
  expect(calls).toEqual([['a', 'b', 'missing']]);
  expect(await lookup('c')).toBe('C');
  expect(calls).toHaveLength(2);
});

it('splits a turn with more keys than the limit', async () => {
  const { calls, lookup } = recording();
  expect(await Promise.all(['a', 'b', 'c', 'd'].map(lookup))).toEqual(['A', 'B', 'C', 'D']);
  expect(calls).toEqual([['a', 'b', 'c'], ['d']]);
});

it('fails the callers of a failed read, and reads again afterwards', async () => {
  let fail = true;
  const lookup = coalescedLookup(async (keys: string[]) => {
    if (fail) throw new Error('database is locked');
    return new Map(keys.map((k) => [k, 1]));
  });
  const results = await Promise.allSettled([lookup('a'), lookup('b')]);
  expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  fail = false;
  expect(await lookup('a')).toBe(1);
});
