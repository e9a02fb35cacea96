// How times, durations, rates and URLs read on the pages: the viewer's time zone with exact UTC on
// hover, milliseconds and seconds, percentages, and a URL shortened to its host and path.

/** "1 Dec, 09:15:02" in the viewer's time zone (or `timeZone` when given, for tests). */
export function formatTime(iso: string, options: { timeZone?: string } = {}): string {
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    timeZone: options.timeZone,
  }).format(new Date(iso));
}

/** The exact instant in UTC, as shown on hover: "2026-12-01 09:15:02.123 UTC". */
export function formatUtc(iso: string): string {
  return `${new Date(iso).toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}

/** The hour of an hourly bucket in the viewer's time zone: "09:00". */
export function formatHour(iso: string, options: { timeZone?: string } = {}): string {
  return new Intl.DateTimeFormat('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
    timeZone: options.timeZone,
  }).format(new Date(iso));
}

/** "in 4 min", "in 2 h", "5 s ago" relative to `now`. */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const magnitude = Math.abs(seconds);
  const [value, unit] =
    magnitude < 60
      ? [magnitude, 's']
      : magnitude < 3600
        ? [Math.round(magnitude / 60), 'min']
        : magnitude < 86_400
          ? [Math.round(magnitude / 3600), 'h']
          : [Math.round(magnitude / 86_400), 'd'];
  return seconds >= 0 ? `in ${value} ${unit}` : `${value} ${unit} ago`;
}

/** "840 ms", "1.2 s", "15 s"; a dash when there is no figure. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
}

/** An error rate from 0 to 1 as "0%", "0.4%", "12%". */
export function formatPercent(rate: number): string {
  const percent = rate * 100;
  if (percent === 0) return '0%';
  if (percent < 1) return `${percent.toFixed(1)}%`;
  return `${Math.round(percent)}%`;
}

/** A count with thousands separators: "12,480". */
export const formatCount = (n: number): string => new Intl.NumberFormat('en-US').format(n);

/** "api.example.com/hooks/klang" — the URL without its scheme or a trailing slash. */
export function shortUrl(url: string): string {
  return url.replace(/^https?:\/\//, '').replace(/\/$/, '');
}

/** Pretty-prints a JSON body; anything that is not JSON is returned unchanged. */
export function prettyJson(body: string | null | undefined): string {
  if (body === null || body === undefined || body === '') return '';
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
