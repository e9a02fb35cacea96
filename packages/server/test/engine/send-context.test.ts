// The send-time re-check on both databases: each webhook and conversation answered as it is now
// (status, owner's plan, access through ownership, a user share or a team share; gone webhooks
// undefined), and the re-checks asked for in one turn of the event loop read in one query.
import { afterEach, expect, it } from 'vitest';
import type { ContextKey, QueueStore } from '../../src/db/queue-store/types.ts';
import { createQueueRepo } from '../../src/db/repos/queue-repo.ts';
import { createSecretBox } from '../../src/domain/secrets.ts';
import { describeEachDatabase, openTestDatabase, type TestDatabase } from '../support/databases.ts';
import { insertConversation, insertTeam, insertUser, insertWebhook } from '../support/fixtures.ts';

const box = createSecretBox(Buffer.alloc(32, 7));

describeEachDatabase('send-time re-check (%s)', (kind) => {
  let database: TestDatabase;

  afterEach(async () => {
    await database?.dispose();
  });

  it('answers every webhook and conversation asked for in one turn with one query', async () => {
    database = await openTestDatabase(kind);
    const { db } = database;
    const owner = await insertUser(db, 'pro');
    const stranger = await insertUser(db, 'pro');
    const downgraded = await insertUser(db, 'free');
    const team = await insertTeam(db, [owner]);
    const own = await insertConversation(db, owner);
    const sharedWithOwner = await insertConversation(db, stranger, { users: [owner] });
    const sharedWithTeam = await insertConversation(db, stranger, { teams: [team] });
    const private_ = await insertConversation(db, stranger);
    const active = await insertWebhook(db, box, owner);
    const paused = await insertWebhook(db, box, owner, { status: 'paused' });
    const free = await insertWebhook(db, box, downgraded);

    const reads: ContextKey[][] = [];
    const store: QueueStore = {
      ...database.queueStore,
      sendContexts: (keys) => {
        reads.push([...keys]);
        return database.queueStore.sendContexts(keys);
      },
    };
    const queue = createQueueRepo({ ...database, queueStore: store });

    const asked = await Promise.all([
      queue.sendContext(active.id, own),
      queue.sendContext(active.id, sharedWithOwner),
      queue.sendContext(active.id, sharedWithTeam),
      queue.sendContext(active.id, private_),
      queue.sendContext(active.id, null),
      queue.sendContext(paused.id, own),
      queue.sendContext(free.id, null),
      queue.sendContext('wh_gone', own),
      queue.sendContext(active.id, own),
    ]);

    expect(reads).toHaveLength(1);
    // The same webhook and conversation twice is read once.
    expect(reads[0]).toHaveLength(8);
    const view = asked.map(
      (c) => c && { status: c.status, plan: c.plan, access: c.hasAccess, user: c.userId },
    );
    expect(view).toEqual([
      { status: 'active', plan: 'pro', access: true, user: owner },
      { status: 'active', plan: 'pro', access: true, user: owner },
      { status: 'active', plan: 'pro', access: true, user: owner },
      { status: 'active', plan: 'pro', access: false, user: owner },
      { status: 'active', plan: 'pro', access: true, user: owner },
      { status: 'paused', plan: 'pro', access: true, user: owner },
      { status: 'active', plan: 'free', access: true, user: downgraded },
      undefined,
      { status: 'active', plan: 'pro', access: true, user: owner },
    ]);
    expect(asked[0]!.url).toBe('https://receiver.example/hook');
    expect(box.open(asked[0]!.secretEnc)).toBe(active.secret);

    // A later turn reads again: what changed since is seen.
    await db.updateTable('webhooks').set({ status: 'auto_paused' }).where('id', '=', active.id).execute();
    expect((await queue.sendContext(active.id, own))?.status).toBe('auto_paused');
    expect(reads).toHaveLength(2);
  });
});
