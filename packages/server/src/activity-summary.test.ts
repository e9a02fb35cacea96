import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startActivitySummary } from './activity-summary.ts';
import { createMetrics } from './metrics.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

describe('activity summary', () => {
  it('logs what happened since the previous line, by outcome and error code', async () => {
    const metrics = createMetrics();
    const { lines, logger } = capture();
    let clock = 1_000_000;
    const summary = startActivitySummary({
      metrics,
      logger,
      role: 'all',
      intervalMs: 3_600_000,
      now: () => clock,
    });
    metrics.attempts.inc({ outcome: 'succeeded', error: '', event_type: 'conversation.ready' }, 5);
    metrics.attempts.inc({ outcome: 'failed', error: 'timeout', event_type: 'conversation.ready' }, 2);
    metrics.attempts.inc({ outcome: 'failed', error: 'http_500', event_type: 'conversation.deleted' });
    metrics.deliveriesFinished.inc({ status: 'succeeded', event_type: 'conversation.ready' }, 5);
    metrics.eventsPublished.inc({ type: 'conversation.ready' }, 4);
    metrics.httpRequests.inc({ method: 'POST', route: '/internal/v1/events', status: '202' }, 4);
    metrics.httpRequests.inc({ method: 'GET', route: '/healthz', status: '200' });
    clock += 60_000;
    await summary.flush();
    expect(lines.at(-1)).toMatchObject({
      msg: 'activity',
      role: 'all',
      periodSeconds: 60,
      requests: 5,
      eventsAccepted: 4,
      attempts: { succeeded: 5, failed: 3 },
      failuresByError: { timeout: 2, http_500: 1 },
      deliveriesFinished: { succeeded: 5, failed: 0 },
    });

    // The next line counts only what came after the first.
    metrics.attempts.inc({ outcome: 'failed', error: 'timeout', event_type: 'conversation.ready' });
    clock += 30_000;
    await summary.stop();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({
      periodSeconds: 30,
      requests: 0,
      eventsAccepted: 0,
      attempts: { succeeded: 0, failed: 1 },
      failuresByError: { timeout: 1 },
      deliveriesFinished: { succeeded: 0, failed: 0 },
    });
  });
});
