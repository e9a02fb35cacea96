// Prometheus metrics of one process: delivery attempts and their latency (recorded by the engine),
// events published, and process defaults. Queue gauges are read from the database on scrape.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  attempts: Counter<'outcome' | 'error'>;
  attemptDuration: Histogram<'outcome'>;
  eventsPublished: Counter<'type'>;
  queueDepth: Gauge<'state'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'klang_' });
  return {
    registry,
    attempts: new Counter({
      name: 'klang_delivery_attempts_total',
      help: 'Delivery attempts by outcome (succeeded, failed) and error code.',
      labelNames: ['outcome', 'error'],
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: 'klang_delivery_attempt_duration_seconds',
      help: 'Duration of delivery attempts, connect to last byte.',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers: [registry],
    }),
    eventsPublished: new Counter({
      name: 'klang_events_published_total',
      help: 'Events accepted on the host API (replays of an idempotency key excluded).',
      labelNames: ['type'],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'klang_queue_deliveries',
      help: 'Pending deliveries: due now, or waiting for a retry time.',
      labelNames: ['state'],
      registers: [registry],
    }),
  };
}
