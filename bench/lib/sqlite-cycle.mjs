// One run of the SQLite hot path through the service's own stores (built `dist/`), for
// sql-instructions.mjs to count: a fresh file migrated and seeded, then `--phase` decides how far it
// goes — `setup` stops there, `intake` also stores `--events` events in groups of 16 through the
// intake store (K deliveries each), `worker` also refills, "sends" (a 204 after 1 ms) and records
// them all in cycles of one record transaction with its refill, as the worker does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    phase: { type: 'string', default: 'worker' },
    events: { type: 'string', default: '3000' },
    webhooks: { type: 'string', default: '4' },
    dist: { type: 'string', default: new URL('../../packages/server/dist/', import.meta.url).pathname },
  },
});
const dist = (path) => import(join(args.dist, path));
const [{ connectDatabase }, { migrateToLatest }, { newId }, { attemptResult }, { deliveryRow }] =
  await Promise.all([
    dist('db/connect.js'),
    dist('db/migrate.js'),
    dist('domain/ids.js'),
    dist('engine/results.js'),
    dist('db/repos/events-repo.js'),
  ]);

const GROUP = 16;
const PER_REFILL = 16;
const events = Number(args.events);
const K = Number(args.webhooks);
const dir = mkdtempSync(join(tmpdir(), 'klang-sql-cycle-'));
const handle = connectDatabase(`sqlite:${join(dir, 'cycle.db')}`);
const webhooks = Array.from({ length: K }, () => newId.webhook());
try {
  await migrateToLatest(handle.db);
  const now = Date.now();
  const user = newId.user();
  await handle.db
    .insertInto('users')
    .values({
      id: user,
      email: 'cycle@example.com',
      plan: 'pro',
      password_hash: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const conversation = 'conv_cycle';
  await handle.db
    .insertInto('conversations')
    .values({
      id: conversation,
      owner_id: user,
      title: 'Weekly sync',
      url: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await handle.db
    .insertInto('webhooks')
    .values(
      webhooks.map((id) => ({
        id,
        user_id: user,
        url: 'https://receiver.example/hook',
        description: '',
        events: JSON.stringify(['conversation.ready']),
        status: 'active',
        status_reason: null,
        status_changed_at: null,
        consecutive_failures: 0,
        secret_enc: 'sealed',
        previous_secret_enc: null,
        previous_secret_expires_at: null,
        created_at: now,
        updated_at: now,
      })),
    )
    .execute();
  if (args.phase !== 'setup') await intake(now);
  if (args.phase === 'worker') await work();
  const rows = await handle.db
    .selectFrom('deliveries')
    .select(['status', (eb) => eb.fn.countAll().as('n')])
    .groupBy('status')
    .execute();
  const counts = Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
  const expected = args.phase === 'setup' ? 0 : events * K;
  const finished = args.phase === 'worker' ? (counts.succeeded ?? 0) : (counts.pending ?? 0);
  if (finished !== expected)
    throw new Error(`expected ${expected} deliveries, found ${JSON.stringify(counts)}`);
  console.log(JSON.stringify({ phase: args.phase, deliveries: expected, counts }));
} finally {
  await handle.close();
  rmSync(dir, { recursive: true, force: true });
}
// Now, before anything loads lazily at exit (Node's own fetch needs WebAssembly, off under --jitless).
process.exit(0);

async function intake(now) {
  const payload = JSON.stringify({
    type: 'conversation.ready',
    data: { id: 'conv_cycle', title: 'Weekly sync', url: 'https://app.klang.example/c/conv_cycle' },
  });
  for (let i = 0; i < events; i += GROUP) {
    const group = [];
    for (let j = i; j < Math.min(events, i + GROUP); j++) {
      group.push({
        id: newId.event(),
        type: 'conversation.ready',
        conversationId: 'conv_cycle',
        payload,
        createdAt: now + j,
      });
    }
    await handle.intakeStore.writeGroup(group, deliveryRow);
  }
}

async function work() {
  const options = { workerId: 'wk_cycle', autoPauseAfter: 25, autoPauseReason: 'consecutive failures' };
  const policy = { retrySchedule: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000] };
  const after = new Map();
  const refillOf = (at) => ({
    workerId: options.workerId,
    now: at + events,
    leaseMs: 60_000,
    webhooks: new Map(webhooks.map((id) => [id, PER_REFILL])),
    after,
  });
  const note = (claimed) => {
    for (const d of claimed) after.set(d.webhookId, Math.max(after.get(d.webhookId) ?? 0, d.dueAt));
    return claimed;
  };
  let held = note(await handle.queueStore.refill(refillOf(Date.now())));
  while (held.length > 0) {
    const at = Date.now();
    const results = held.map((d) =>
      attemptResult(
        d,
        {
          outcome: {
            outcome: 'succeeded',
            durationMs: 1,
            response: { status: 204, headers: {}, body: '', bodyEncoding: 'utf8', truncated: false },
          },
          signature: 'v1,c2lnbmF0dXJl',
          startedAt: at,
        },
        policy,
        at,
      ),
    );
    const summary = await handle.queueStore.record(results, { ...options, now: at }, refillOf(at));
    held = note(summary.claimed);
  }
}
