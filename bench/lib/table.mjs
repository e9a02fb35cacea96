// The printed summary: one Markdown table row per figure, with its target from
// docs/performance.md and, for the service's figures, its ratio to the BullMQ peer and its share of
// the signed undici POST rate, both measured in the same run. Latency rows: table-latency.mjs;
// drain-rss and query-p99: table-scale.mjs.
import { latencyRows } from './table-latency.mjs';
import { scaleRows } from './table-scale.mjs';

const fmt = (value, unit = '') =>
  value === null || value === undefined
    ? '—'
    : `${typeof value === 'number' ? value.toLocaleString('en-US') : value}${unit}`;

const round1 = (value) => Math.round(value * 10) / 10;

function rows(report) {
  const r = report.results;
  // The denominator: the mean of the raw runs at the start and (when there) at the end.
  const mean = (values) => {
    const known = values.filter(Boolean);
    return known.length ? known.reduce((a, b) => a + b, 0) / known.length : undefined;
  };
  const signedLimit = mean([r.raw?.signed?.perSecond, r.rawEnd?.signed?.perSecond]);
  const share = (value) => (signedLimit && value ? `${((100 * value) / signedLimit).toFixed(1)} %` : '');
  const peer = r.bullmq && !r.bullmq.error ? r.bullmq : undefined;
  const peerLatency = r['bullmq-latency'] && !r['bullmq-latency'].error ? r['bullmq-latency'] : undefined;
  /** The service's figure over the peer's (for latencies: how many times the peer's it takes). */
  const times = (value, base) => (value && base ? `${(value / base).toFixed(2)} ×` : '');
  const out = [];
  const add = (scenario, metric, value, target = '', vsPeer = '', ratio = '') =>
    out.push([scenario, metric, value, target, vsPeer, ratio]);

  for (const [key, tag] of [
    ['raw', 'raw (start)'],
    ['rawEnd', 'raw (end)'],
  ]) {
    if (!r[key]?.unsigned) continue;
    const { unsigned, signed } = r[key];
    add(tag, 'undici POST 1 KB, c=64', fmt(unsigned.perSecond, '/s'));
    add(
      tag,
      '… HMAC-signed per request (the limit)',
      fmt(signed.perSecond, '/s'),
      '',
      '',
      share(signed.perSecond),
    );
    add(
      tag,
      'CPU per request: sender / receiver',
      `${unsigned.senderCpuUsPerRequest} / ${unsigned.receiverCpuUsPerRequest} µs`,
    );
  }
  if (peer) {
    const tag = `BullMQ peer (${peer.events.toLocaleString('en-US')} ev × K=${peer.webhooks}, c=${peer.concurrency})`;
    add(
      tag,
      'deliveries/s, end to end',
      fmt(peer.deliveriesPerSecond, '/s'),
      '',
      '1.00 ×',
      share(peer.deliveriesPerSecond),
    );
    add(tag, 'deliveries/s, after publishing ended', fmt(peer.drainPerSecond, '/s'));
    add(tag, 'publish rate (addBulk per event)', fmt(peer.publish.perSecond, ' ev/s'));
    add(
      tag,
      'delivered / expected (duplicates)',
      `${fmt(peer.delivered)} / ${fmt(peer.expected)} (${peer.duplicates})`,
    );
    add(tag, 'worker CPU per delivery', fmt(peer.workerCpuUsPerDelivery, ' µs'));
  }
  if (peerLatency) {
    const l = peerLatency;
    const tag = `BullMQ peer latency (${l.rate} ev/s × ${l.seconds} s, K=${l.webhooks})`;
    add(
      tag,
      'p50 / p95 / p99, publish sent → received',
      `${l.fromSendMs.p50} / ${l.fromSendMs.p95} / ${l.fromSendMs.p99} ms`,
    );
    add(tag, 'delivered / published', `${fmt(l.delivered)} / ${fmt(l.expected)}`);
  }
  for (const [name, label, target] of [
    ['sqlite', 'sqlite', '≥ 2.3 × peer, ≥ 33 % of limit'],
    ['postgres', 'postgres', '≥ 1.5 × peer'],
  ]) {
    const s = r[name];
    if (!s || s.error) continue;
    const tag = `${label} (${s.events.toLocaleString('en-US')} ev × K=${s.webhooks})`;
    add(
      tag,
      'deliveries/s, end to end',
      fmt(s.deliveriesPerSecond, '/s'),
      target,
      times(s.deliveriesPerSecond, peer?.deliveriesPerSecond),
      share(s.deliveriesPerSecond),
    );
    add(
      tag,
      'deliveries/s, after publishing ended',
      fmt(s.drainPerSecond, '/s'),
      '',
      times(s.drainPerSecond, peer?.drainPerSecond),
      share(s.drainPerSecond),
    );
    add(tag, 'deliveries, best 1 s', fmt(s.peak1sPerSecond, '/s'));
    add(
      tag,
      'publish rate while delivering',
      fmt(s.publish.perSecond, ' ev/s'),
      '',
      times(s.publish.perSecond, peer?.publish.perSecond),
    );
    add(
      tag,
      'events accepted / requested (errors)',
      `${fmt(s.publish.accepted)} / ${fmt(s.events)} (${s.publish.errors})`,
    );
    add(
      tag,
      'delivered / expected (duplicates)',
      `${fmt(s.delivered)} / ${fmt(s.expected)} (${s.duplicates})`,
    );
    add(tag, 'service CPU per delivery', fmt(s.serviceCpuUsPerDelivery, ' µs'));
    if (s.databaseCpuUsPerDelivery !== undefined)
      add(tag, 'PostgreSQL backends CPU per delivery', fmt(s.databaseCpuUsPerDelivery, ' µs'));
    const pgs = s.postgresStatsPerDelivery;
    if (pgs)
      add(
        tag,
        'PG commits / rows written / rows read per delivery',
        `${pgs.xact_commit} / ${round1(pgs.tup_inserted + pgs.tup_updated + pgs.tup_deleted)} / ${round1(pgs.tup_returned + pgs.tup_fetched)}`,
      );
    if (s.harness)
      add(
        tag,
        'harness CPU: runner / receiver',
        `${s.harness.runnerCpuSeconds} / ${s.harness.receiverCpuSeconds} s`,
      );
    add(tag, 'peak RSS', s.processes.map((p) => `${p.role} ${p.peakRssMiB} MiB`).join(', '));
    const storage = s.attemptStorage;
    if (storage)
      add(
        tag,
        'bytes stored per attempt: table / indexes',
        `${fmt(storage.tableBytesPerRow)} / ${fmt(storage.indexBytesPerRow)} B`,
      );
  }
  latencyRows(r, { add, fmt, times, peerLatency });
  const p = r.publish;
  if (p && !p.error) {
    const tag = `publish (api only, K=1${p.warmup ? `, after ${fmt(p.warmup)} warm-up events` : ''})`;
    add(
      tag,
      'events accepted/s',
      fmt(p.perSecond, ' ev/s'),
      '≥ 10,000 ev/s',
      peer ? `${times(p.perSecond, peer.publish.perSecond)} (peer's addBulk ev/s)` : '',
    );
    add(tag, 'events accepted (errors)', `${fmt(p.accepted)} (${p.errors})`);
    add(tag, 'ack p50 / p99', `${p.ackMs.p50} / ${p.ackMs.p99} ms`);
    add(tag, 'service CPU per event', fmt(p.serviceCpuUsPerEvent, ' µs'));
    add(tag, 'runner CPU per event (the publishing client)', fmt(p.runnerCpuUsPerEvent, ' µs'));
  }
  const b = r['publish-batch'];
  if (b && !b.error) {
    const tag = `publish-batch (api only, K=1, ${b.batchSize} per request, ${b.concurrency} in flight)`;
    add(
      tag,
      'events accepted/s',
      fmt(b.perSecond, ' ev/s'),
      '≥ 10,000 ev/s',
      peer ? `${times(b.perSecond, peer.publish.perSecond)} (peer's addBulk ev/s)` : '',
    );
    if (p && !p.error) add(tag, '… over single-event publish', times(b.perSecond, p.perSecond));
    add(
      tag,
      'events accepted / requested (refused, failed requests)',
      `${fmt(b.accepted)} / ${fmt(b.requested)} (${b.refused}, ${b.failedRequests})`,
    );
    add(tag, 'request p50 / p99', `${b.requestMs.p50} / ${b.requestMs.p99} ms`);
    add(tag, 'service CPU per event', fmt(b.serviceCpuUsPerEvent, ' µs'));
    add(tag, 'runner CPU per event (the publishing client)', fmt(b.runnerCpuUsPerEvent, ' µs'));
  }
  scaleRows(r, { add, fmt });
  for (const [name, s] of Object.entries(r)) if (s?.error) add(name, 'FAILED', s.error.split('\n')[0]);
  return out;
}

export function formatTable(report) {
  const header = ['scenario', 'metric', 'value', 'target', 'vs BullMQ peer', 'of signed undici'];
  const body = rows(report);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => String(row[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  const load = `load average ${report.loadAverage.before[0]} before, ${report.loadAverage.after[0]} after`;
  const dirty = report.service.uncommittedSrc?.length
    ? ` + ${report.service.uncommittedSrc.length} uncommitted src files`
    : '';
  const title = `Klang Webhooks benchmark — ${report.date} — commit ${report.service.commit}${dirty} — Node ${report.node} — ${report.cpu} — ${load}`;
  return [title, '', line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
