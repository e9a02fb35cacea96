// Table rows of the latency scenarios (latency, latency-k4, latency-postgres) with their targets
// from docs/performance.md and, where K matches the peer's, the ratio to the BullMQ peer's latency.
const SCENARIOS = [
  ['latency', 'latency', 'SQLite'],
  ['latency-k4', 'latency-k4', 'SQLite'],
  ['latency-postgres', 'latency-postgres', 'PostgreSQL'],
];

/** p50 / p99 targets of a latency scenario (ms), by database and K. */
const targetOf = (database, webhooks) => {
  if (database === 'PostgreSQL') return 'p99 ≤ 100 ms';
  return webhooks === 1 ? 'p50/p99 ≤ 2 / ≤ 10 ms' : 'p50/p99 ≤ 3 / ≤ 50 ms';
};

export function latencyRows(results, { add, fmt, times, peerLatency }) {
  for (const [key, label, database] of SCENARIOS) {
    const l = results[key];
    if (!l || l.error) continue;
    const workers = l.workers ? `, api + ${l.workers} workers` : '';
    const tag = `${label} (${l.rate} ev/s × ${l.seconds} s, K=${l.webhooks}${workers})`;
    const vs =
      peerLatency && peerLatency.webhooks === l.webhooks
        ? `p50 ${times(l.fromSendMs.p50, peerLatency.fromSendMs.p50)}, p99 ${times(l.fromSendMs.p99, peerLatency.fromSendMs.p99)}`
        : '';
    add(
      tag,
      'p50 / p95 / p99, publish sent → received',
      `${l.fromSendMs.p50} / ${l.fromSendMs.p95} / ${l.fromSendMs.p99} ms`,
      targetOf(database, l.webhooks),
      vs,
    );
    add(
      tag,
      'p50 / p95 / p99, created_at → received',
      `${l.fromCreatedAtMs.p50} / ${l.fromCreatedAtMs.p95} / ${l.fromCreatedAtMs.p99} ms`,
    );
    if (l.coldFromSendMs) {
      const c = l.coldFromSendMs;
      add(
        tag,
        `… the first ${l.warmupSeconds} s of load (cold process)`,
        `${c.p50} / ${c.p95} / ${c.p99} ms`,
      );
    }
    add(tag, 'publish ack p50 / p99', `${l.publish.ackMs.p50} / ${l.publish.ackMs.p99} ms`);
    add(tag, 'delivered / published', `${fmt(l.delivered)} / ${fmt(l.publish.accepted * l.webhooks)}`);
    add(tag, 'peak RSS', l.processes.map((p) => `${p.role} ${p.peakRssMiB} MiB`).join(', '));
  }
}
