import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatDuration,
  formatHour,
  formatPercent,
  formatRelative,
  formatTime,
  formatUtc,
  prettyJson,
  shortUrl,
} from './format.ts';

describe('formatTime and formatHour', () => {
  it.each([
    ['UTC', '1 Dec, 09:15:02', '09:00'],
    ['Europe/Berlin', '1 Dec, 10:15:02', '10:00'],
    ['America/New_York', '1 Dec, 04:15:02', '04:00'],
  ])('shows the instant in %s', (timeZone, time, hour) => {
    expect(formatTime('2026-12-01T09:15:02.123Z', { timeZone })).toBe(time);
    expect(formatHour('2026-12-01T09:00:00.000Z', { timeZone })).toBe(hour);
  });

  it('gives the exact UTC instant for the hover', () => {
    expect(formatUtc('2026-12-01T09:15:02.123Z')).toBe('2026-12-01 09:15:02.123 UTC');
  });
});

describe('formatRelative', () => {
  const now = Date.parse('2026-12-01T09:00:00Z');
  it.each([
    ['2026-12-01T09:00:05Z', 'in 5 s'],
    ['2026-12-01T09:05:00Z', 'in 5 min'],
    ['2026-12-01T11:00:00Z', 'in 2 h'],
    ['2026-12-03T09:00:00Z', 'in 2 d'],
    ['2026-12-01T08:59:30Z', '30 s ago'],
  ])('%s reads "%s"', (iso, expected) => {
    expect(formatRelative(iso, now)).toBe(expected);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [56.4, '56 ms'],
    [999, '999 ms'],
    [1200, '1.2 s'],
    [15_000, '15 s'],
    [null, '—'],
    [Number.NaN, '—'],
  ])('%s ms reads "%s"', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('formatPercent and formatCount', () => {
  it.each([
    [0, '0%'],
    [0.004, '0.4%'],
    [0.12, '12%'],
    [1, '100%'],
  ])('rate %s reads "%s"', (rate, expected) => {
    expect(formatPercent(rate)).toBe(expected);
  });

  it('separates thousands', () => {
    expect(formatCount(12480)).toBe('12,480');
  });
});

describe('shortUrl and prettyJson', () => {
  it('drops the scheme and a trailing slash', () => {
    expect(shortUrl('https://api.example.com/hooks/klang/')).toBe('api.example.com/hooks/klang');
    expect(shortUrl('http://127.0.0.1:8080/hook')).toBe('127.0.0.1:8080/hook');
  });

  it('indents JSON and leaves anything else as it is', () => {
    expect(prettyJson('{"a":1,"b":[2]}')).toBe('{\n  "a": 1,\n  "b": [\n    2\n  ]\n}');
    expect(prettyJson('not json')).toBe('not json');
    expect(prettyJson(null)).toBe('');
  });
});
