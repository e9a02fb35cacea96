// Stats repository contract: 24 zero-filled hourly buckets ending with the current hour, sums over
// the window only, per webhook; and the error rate and mean response time derived from them.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLocalQueueSignal } from '../../src/db/queue-signal.ts';
import { createRepos } from '../../src/db/repos/index.ts';
import { createStatsRepo, HOUR_MS, type StatsRepo, windowStart } from '../../src/db/repos/stats-repo.ts';
import { createSecretBox } from '../../src/domain/secrets.ts';
import { createDeliveryLogService } from '../../src/services/delivery-log.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { insertUser, insertWebhook } from '../support/fixtures.ts';
import { insertStatsRow } from './rows.ts';

const box = createSecretBox(Buffer.alloc(32, 2));
const CURRENT_HOUR = 1_000 * HOUR_MS;
const NOW = CURRENT_HOUR + 30 * 60_000;
const START = CURRENT_HOUR - 23 * HOUR_MS;

describeEachDatabase('stats repo on %s', (kind) => {
  let database: TestDatabase;
  let stats: StatsRepo;
  let user: string;
  let hook: string;
  let quiet: string;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    stats = createStatsRepo(database.db);
    const { db } = database;
    user = await insertUser(db);
    hook = (await insertWebhook(db, box, user)).id;
    quiet = (await insertWebhook(db, box, user)).id;
    const other = (await insertWebhook(db, box, user)).id;
    await insertStatsRow(db, hook, START, { succeeded: 3, failed: 1, responseMsSum: 400, responseCount: 4 });
    await insertStatsRow(db, hook, START + 10 * HOUR_MS, {
      succeeded: 5,
      responseMsSum: 250,
      responseCount: 5,
    });
    await insertStatsRow(db, hook, CURRENT_HOUR, {
      succeeded: 2,
      failed: 4,
      responseMsSum: 350,
      responseCount: 3,
    });
    // outside the window on both sides
    await insertStatsRow(db, hook, START - HOUR_MS, {
      succeeded: 100,
      failed: 100,
      responseMsSum: 9,
      responseCount: 9,
    });
    await insertStatsRow(db, hook, CURRENT_HOUR + HOUR_MS, {
      succeeded: 100,
      responseMsSum: 9,
      responseCount: 9,
    });
    await insertStatsRow(db, other, CURRENT_HOUR, { succeeded: 77 });
  });
  afterAll(() => database.dispose());

  it('starts the window 23 whole hours before the current hour', () => {
    expect(windowStart(NOW, 24)).toBe(START);
    expect(windowStart(CURRENT_HOUR, 24)).toBe(START);
    expect(windowStart(CURRENT_HOUR - 1, 24)).toBe(START - HOUR_MS);
  });

  it('sums the rows inside the window into zero-filled hourly buckets', async () => {
    const window = (await stats.window([hook], 24, NOW)).get(hook);
    expect(window).toMatchObject({ succeeded: 10, failed: 5, responseMsSum: 1_000, responseCount: 12 });
    const buckets = window?.buckets ?? [];
    expect(buckets).toHaveLength(24);
    expect(buckets.map((b) => b.hour)).toEqual(Array.from({ length: 24 }, (_, i) => START + i * HOUR_MS));
    expect(buckets[0]).toEqual({ hour: START, succeeded: 3, failed: 1 });
    expect(buckets[10]).toEqual({ hour: START + 10 * HOUR_MS, succeeded: 5, failed: 0 });
    expect(buckets[23]).toEqual({ hour: CURRENT_HOUR, succeeded: 2, failed: 4 });
    const others = buckets.filter((_, i) => ![0, 10, 23].includes(i));
    expect(others.every((b) => b.succeeded === 0 && b.failed === 0)).toBe(true);
  });

  it('answers every asked webhook, zeros for one without rows and for an empty list', async () => {
    const result = await stats.window([hook, quiet], 24, NOW);
    expect([...result.keys()]).toEqual([hook, quiet]);
    expect(result.get(quiet)).toMatchObject({ succeeded: 0, failed: 0, responseMsSum: 0, responseCount: 0 });
    expect(result.get(quiet)?.buckets).toHaveLength(24);
    expect((await stats.window([], 24, NOW)).size).toBe(0);
  });

  it('moves with time: an hour later the oldest row leaves the window', async () => {
    const window = (await stats.window([hook], 24, NOW + HOUR_MS)).get(hook);
    // START drops out, CURRENT_HOUR + 1h comes in
    expect(window).toMatchObject({ succeeded: 107, failed: 4, responseMsSum: 609, responseCount: 17 });
    expect(window?.buckets[23]).toEqual({ hour: CURRENT_HOUR + HOUR_MS, succeeded: 100, failed: 0 });
  });

  it('gives the owner’s error rate and mean response time from the sums', async () => {
    const log = createDeliveryLogService({
      repos: createRepos(database),
      queueSignal: createLocalQueueSignal(),
    });
    const caller = { id: user, plan: 'pro' as const };
    expect(await log.stats(caller, hook, NOW)).toMatchObject({
      delivered: 10,
      failed: 5,
      attempts: 15,
      errorRate: 5 / 15,
      avgResponseMs: 83,
    });
    expect(await log.stats(caller, quiet, NOW)).toMatchObject({
      attempts: 0,
      errorRate: 0,
      avgResponseMs: null,
    });
  });
});
