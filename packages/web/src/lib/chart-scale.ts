// The y axis of the hourly activity chart: a round top and three evenly spaced whole-number ticks.

/** The smallest of 2, 4, 10, 20, 40, 100, … (×10 each decade) that is at least `max`. */
export function chartTop(max: number): number {
  if (!Number.isFinite(max) || max <= 2) return 2;
  let decade = 1;
  while (decade * 10 < max) decade *= 10;
  for (const step of [2, 4, 10]) if (step * decade >= max) return step * decade;
  return 10 * decade;
}

/** [0, top / 2, top] for the chart's highest bar. */
export function chartTicks(max: number): number[] {
  const top = chartTop(max);
  return [0, top / 2, top];
}
