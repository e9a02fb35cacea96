import { describe, expect, it } from 'vitest';
import { chartTicks, chartTop } from './chart-scale.ts';

describe('chartTop and chartTicks', () => {
  it.each([
    [0, 2],
    [1, 2],
    [3, 4],
    [5, 10],
    [11, 20],
    [21, 40],
    [41, 100],
    [1234, 2000],
  ])('a highest bar of %s tops the axis at %s', (max, top) => {
    expect(chartTop(max)).toBe(top);
  });

  it('spaces three whole-number ticks evenly', () => {
    expect(chartTicks(7)).toEqual([0, 5, 10]);
    expect(chartTicks(0)).toEqual([0, 1, 2]);
  });
});
