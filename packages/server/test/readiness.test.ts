// /readyz tells the failures apart: the database does not answer, migrations are pending, or (api
// role) deliveries are due with no live worker — on real databases, nothing simulated.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectDatabase } from '../src/db/connect.ts';
import { createRepos } from '../src/db/repos/index.ts';
import { checkReadiness } from '../src/services/readiness.ts';
import { createTestApp } from './support/app.ts';
import { insertConversation, insertUser, insertWebhook } from './support/fixtures.ts';

describe('readiness', () => {
  it('says migrations_pending on a database that was never migrated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'klang-ready-'));
    const database = connectDatabase(`sqlite:${join(dir, 'klang.db')}`);
    onTestFinished(async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const result = await checkReadiness({
      database,
      repos: createRepos(database),
      role: 'api',
      workerId: 'w',
    });
    expect(result).toMatchObject({
      ready: false,
      reason: 'migrations_pending',
      checks: { database: true, migrations: false },
    });
    expect(result.pendingMigrations).toContain('0001-initial');
  });

  it('says database_unreachable when PostgreSQL does not answer', async () => {
    const database = connectDatabase('postgres://postgres@127.0.0.1:1/none');
    onTestFinished(() => database.close());
    const result = await checkReadiness({
      database,
      repos: createRepos(database),
      role: 'api',
      workerId: 'w',
    });
    expect(result).toMatchObject({
      ready: false,
      reason: 'database_unreachable',
      checks: { database: false },
    });
  });

  it('an api process: ready with nothing due, 503 no_live_worker once a delivery is due', async () => {
    const t = await createTestApp('sqlite', { KLANG_ROLE: 'api' });
    onTestFinished(() => t.dispose());
    expect((await t.app.inject('/readyz')).json()).toMatchObject({ status: 'ready', deliveries_due: false });
    const owner = await insertUser(t.database.db, 'pro');
    const conversation = await insertConversation(t.database.db, owner);
    await insertWebhook(t.database.db, t.container.secretBox, owner);
    await t.container.services.ingest.publish({ type: 'conversation.ready', conversationId: conversation });
    const unready = await t.app.inject('/readyz');
    expect(unready.statusCode).toBe(503);
    expect(unready.json()).toMatchObject({
      reason: 'no_live_worker',
      message: expect.stringMatching(/worker/),
    });
    // A fresh heartbeat of any worker process makes it ready again.
    const now = Date.now();
    await t.database.db
      .insertInto('workers')
      .values({ id: 'wrk_elsewhere', role: 'worker', started_at: now, heartbeat_at: now })
      .execute();
    expect((await t.app.inject('/readyz')).json()).toMatchObject({
      status: 'ready',
      checks: { workers: true },
    });
  });
});
