// The periodic `activity` line at info: what this process did since the previous line (requests
// answered, events accepted, attempts and finished deliveries by outcome), read from its own metrics.
import type { Counter } from 'prom-client';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

type Totals = Record<string, number>;

/** Sums a counter's series by one label (`''` groups everything under `total`). */
async function totalsBy<L extends string>(counter: Counter<L>, label: L | ''): Promise<Totals> {
  const series = counter.get();
  const totals: Totals = {};
  for (const { value, labels } of (await series).values) {
    const key = label === '' ? 'total' : String(labels[label as L] ?? '');
    totals[key] = (totals[key] ?? 0) + value;
  }
  return totals;
}

const minus = (now: Totals, before: Totals): Totals =>
  Object.fromEntries(
    Object.entries(now)
      .map(([key, value]) => [key, value - (before[key] ?? 0)] as const)
      .filter(([, value]) => value > 0),
  );

const sum = (totals: Totals) => Object.values(totals).reduce((a, b) => a + b, 0);

/** Every counter read at the same instant (each `get()` is taken before any is awaited). */
async function snapshot(metrics: Metrics) {
  const [requests, eventsAccepted, attempts, failuresByError, deliveriesFinished] = await Promise.all([
    totalsBy(metrics.httpRequests, ''),
    totalsBy(metrics.eventsPublished, ''),
    totalsBy(metrics.attempts, 'outcome'),
    totalsBy(metrics.attempts, 'error'),
    totalsBy(metrics.deliveriesFinished, 'status'),
  ]);
  return { requests, eventsAccepted, attempts, failuresByError, deliveriesFinished };
}

export interface ActivitySummary {
  /** Logs the line now (also done at stop, so a short-lived process still reports). */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

export function startActivitySummary(deps: {
  metrics: Metrics;
  logger: Logger;
  role: string;
  intervalMs: number;
  now?: () => number;
}): ActivitySummary {
  const now = deps.now ?? Date.now;
  let last = snapshot(deps.metrics);
  let lastAt = now();
  let running: Promise<void> = Promise.resolve();

  async function report(): Promise<void> {
    const before = await last;
    const current = snapshot(deps.metrics);
    const after = await current;
    const at = now();
    last = current;
    const failures = minus(after.failuresByError, before.failuresByError);
    delete failures['']; // successful attempts carry no error code
    deps.logger.info(
      {
        role: deps.role,
        periodSeconds: Math.round((at - lastAt) / 1000),
        requests: sum(minus(after.requests, before.requests)),
        eventsAccepted: sum(minus(after.eventsAccepted, before.eventsAccepted)),
        attempts: { succeeded: 0, failed: 0, ...minus(after.attempts, before.attempts) },
        failuresByError: failures,
        deliveriesFinished: {
          succeeded: 0,
          failed: 0,
          ...minus(after.deliveriesFinished, before.deliveriesFinished),
        },
      },
      'activity',
    );
    lastAt = at;
  }

  const flush = () => {
    running = running
      .then(report, report)
      .catch((err) => deps.logger.warn({ err }, 'activity summary failed'));
    return running;
  };
  const timer = setInterval(flush, deps.intervalMs);
  timer.unref();
  return {
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}
