// Table rows of the scenarios at scale: drain-rss (memory while draining a large backlog) and
// query-p99 (the read API over a long attempt history), with their targets from docs/performance.md.
export function scaleRows(results, { add, fmt }) {
  const d = results['drain-rss'];
  if (d && !d.error) {
    const tag = `drain-rss (${fmt(d.backlog)} deliveries, K=${d.webhooks}, SQLite, all)`;
    const m = d.rssMiB;
    add(tag, 'peak RSS (VmHWM / sampled)', `${m.peakVmHWM} / ${m.peakSampled} MiB`, '≤ 300 MB (286 MiB)');
    add(tag, 'RSS at start / 10 % / middle / end', `${m.start} / ${m.tenth} / ${m.middle} / ${m.end} MiB`);
    if (m.steady) {
      const trend = `${m.steady.miBPer100k > 0 ? '+' : ''}${m.steady.miBPer100k} MiB per 100,000 deliveries`;
      add(
        tag,
        'RSS from 10 % delivered to the end: range, trend',
        `${m.steady.min}–${m.steady.max} MiB, ${trend}`,
        'flat',
      );
    }
    add(tag, 'drain rate (first → last delivery)', `${fmt(d.drainPerSecond, '/s')} over ${d.drainSeconds} s`);
    add(tag, 'delivered / backlog (duplicates)', `${fmt(d.delivered)} / ${fmt(d.backlog)} (${d.duplicates})`);
    add(tag, 'service CPU per delivery', fmt(d.serviceCpuUsPerDelivery, ' µs'));
    add(
      tag,
      'backlog built (batch endpoint, api)',
      `${fmt(d.build.accepted)} ev in ${Math.round(d.build.seconds)} s (${fmt(d.build.perSecond, ' ev/s')})`,
    );
  }
  const q = results['query-p99'];
  if (q && !q.error) {
    const tag = `query-p99 (${fmt(q.attemptsStored)} attempts, 1 webhook, SQLite)`;
    for (const [name, s] of [
      ['GET …/stats', q.stats],
      ['GET …/attempts (first page)', q.attemptsPage],
    ]) {
      add(tag, `${name} p50 / p95 / p99 (n=${s.n})`, `${s.p50} / ${s.p95} / ${s.p99} ms`, 'p99 ≤ 20 ms');
    }
    add(
      tag,
      'rows seeded in SQL',
      `${Math.round(q.seed.insertSeconds)} s, database ${fmt(q.databaseMiB)} MiB`,
    );
  }
}
