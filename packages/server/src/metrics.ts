// Prometheus metrics of one process: delivery attempts, their latency and finished deliveries
// (recorded by the engine of the process that makes them), intake, HTTP requests, process defaults.
// Queue, webhook and live-worker gauges are read from the database on scrape.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  attempts: Counter<'outcome' | 'error' | 'event_type'>;
  attemptDuration: Histogram<'outcome'>;
  deliveriesFinished: Counter<'status' | 'event_type'>;
  eventsPublished: Counter<'type'>;
  intakeDuration: Histogram<'result'>;
  queueDepth: Gauge<'state'>;
  queueOldestDueAge: Gauge;
  webhooks: Gauge<'status'>;
  liveWorkers: Gauge;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'klang_' });
  const registers = [registry];
  return {
    registry,
    attempts: new Counter({
      name: 'klang_delivery_attempts_total',
      help: 'Delivery attempts made by this process, by outcome (succeeded, failed), error code and event type.',
      labelNames: ['outcome', 'error', 'event_type'],
      registers,
    }),
    attemptDuration: new Histogram({
      name: 'klang_delivery_attempt_duration_seconds',
      help: 'Duration of delivery attempts, connect to last byte.',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers,
    }),
    deliveriesFinished: new Counter({
      name: 'klang_deliveries_finished_total',
      help: 'Deliveries this process brought to an end: succeeded, or failed after the last retry.',
      labelNames: ['status', 'event_type'],
      registers,
    }),
    eventsPublished: new Counter({
      name: 'klang_events_published_total',
      help: 'Events accepted on the host API (replays of an idempotency key excluded).',
      labelNames: ['type'],
      registers,
    }),
    intakeDuration: new Histogram({
      name: 'klang_intake_duration_seconds',
      help: 'Time to accept one event (store it and fan it out), by result (created, replayed, refused).',
      labelNames: ['result'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    queueDepth: new Gauge({
      name: 'klang_queue_deliveries',
      help: 'Pending deliveries: due now, or waiting for a retry time.',
      labelNames: ['state'],
      registers,
    }),
    queueOldestDueAge: new Gauge({
      name: 'klang_queue_oldest_due_age_seconds',
      help: 'How long the longest-waiting due delivery has been due (0 when none is due).',
      registers,
    }),
    webhooks: new Gauge({
      name: 'klang_webhooks',
      help: 'Webhooks by stored status (active, paused, auto_paused).',
      labelNames: ['status'],
      registers,
    }),
    liveWorkers: new Gauge({
      name: 'klang_workers_live',
      help: 'Worker processes with a heartbeat in the last 60 s, across the deployment (a stuck or stopped worker is not counted).',
      registers,
    }),
    httpRequests: new Counter({
      name: 'klang_http_requests_total',
      help: 'HTTP requests answered by this process, by method, route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'klang_http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by method and route pattern.',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
  };
}
