// Operator commands on real processes and files: `backup` copies a running SQLite service's database
// (a service started on the copy has the same webhooks and attempts), refuses PostgreSQL and an
// existing file; `doctor` reports each check and fails on pending migrations.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../src/db/connect.ts';
import { createSecretBox } from '../src/domain/secrets.ts';
import { answer, createReceiver, waitFor } from './engine/support/receiver.ts';
import { runCli, startServer } from './support/cli-process.ts';
import { insertConversation, insertUser, insertWebhook } from './support/fixtures.ts';

const INGEST = 'operator-ingest-token-0123456';

async function rowsOf(file: string) {
  const database = connectDatabase(`sqlite:${file}`);
  try {
    const webhooks = await database.db.selectFrom('webhooks').selectAll().orderBy('id').execute();
    const attempts = await database.db.selectFrom('attempts').selectAll().orderBy('id').execute();
    return { webhooks, attempts };
  } finally {
    await database.close();
  }
}

describe('operator commands', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'klang-ops-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  const key = randomBytes(32);
  const env = {
    KLANG_PORT: '0',
    KLANG_SECRET_KEY: key.toString('hex'),
    KLANG_INGEST_TOKEN: INGEST,
    KLANG_ALLOW_PRIVATE_TARGETS: 'true',
    KLANG_DEMO: 'false',
  };
  const original = join(cwd, 'data', 'klang.db');

  it('backup of a running service → a service on the copy has the same webhooks and attempts', async () => {
    const receiver = await createReceiver();
    receiver.respond(answer(200));
    try {
      expect((await runCli(['migrate'], env, cwd)).code).toBe(0);
      const database = connectDatabase(`sqlite:${original}`);
      let conversation: string;
      try {
        const owner = await insertUser(database.db, 'pro');
        conversation = await insertConversation(database.db, owner);
        await insertWebhook(database.db, createSecretBox(key), owner, { url: `${receiver.url}/hook` });
      } finally {
        await database.close();
      }
      const server = startServer(['serve'], env, cwd);
      const [, url] = await server.waitForOutput(/running at (http:\/\/\S+)/);
      const published = await fetch(`${url}/internal/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${INGEST}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'conversation.ready', conversation_id: conversation }),
      });
      expect(published.status).toBe(202);
      await waitFor(async () => (await rowsOf(original)).attempts.length === 1, 15_000, 'the attempt');

      // Online: the service keeps running during the backup.
      const backup = await runCli(['backup', join(cwd, 'backup.db')], env, cwd);
      expect(backup).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Backed up \d+ pages/) });
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      const again = await runCli(['backup', join(cwd, 'backup.db')], env, cwd);
      expect(again).toMatchObject({ code: 1, stderr: expect.stringMatching(/exists; choose a new file/) });

      // Restore: a service started on the copy.
      const restoredEnv = { ...env, KLANG_DATABASE_URL: `sqlite:${join(cwd, 'backup.db')}` };
      const restored = startServer(['serve'], restoredEnv, cwd);
      const [, restoredUrl] = await restored.waitForOutput(/running at (http:\/\/\S+)/);
      await waitFor(async () => (await fetch(`${restoredUrl}/readyz`)).status === 200, 10_000, 'readiness');
      const copy = await rowsOf(join(cwd, 'backup.db'));
      restored.child.kill('SIGTERM');
      expect(await restored.exited).toBe(0);
      const source = await rowsOf(original);
      expect(copy.webhooks).toEqual(source.webhooks);
      expect(copy.attempts).toEqual(source.attempts);
      expect(copy.attempts).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it('backup refuses PostgreSQL and points at pg_dump', async () => {
    const result = await runCli(
      ['backup', join(cwd, 'pg.db')],
      { ...env, KLANG_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' },
      cwd,
    );
    expect(result).toMatchObject({ code: 1, stderr: expect.stringMatching(/pg_dump/) });
  });

  it('doctor reports each check; pending migrations fail it', async () => {
    const healthy = await runCli(['doctor'], env, cwd);
    expect(healthy.code).toBe(0);
    for (const check of ['config', 'database', 'migrations', 'workers', 'clock', 'dns'])
      expect(healthy.stdout).toMatch(new RegExp(`^(ok|warn) +${check} `, 'm'));
    const empty = await runCli(
      ['doctor'],
      { ...env, KLANG_DATABASE_URL: `sqlite:${join(cwd, 'empty.db')}` },
      cwd,
    );
    expect(empty.code).toBe(1);
    expect(empty.stdout).toMatch(/^fail +migrations +pending: 0001-initial/m);
  });
});
