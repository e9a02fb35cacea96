import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { connectDatabase } from '../src/db/connect.ts';
import { runCli, startServer } from './support/cli-process.ts';
import { insertConversation, insertUser } from './support/fixtures.ts';

describe('klang-webhooks command', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'klang-cli-'));
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));
  const env = { KLANG_PORT: '0' };

  it('first start creates the data dir, secrets and the demo account; a restart keeps them', async () => {
    const first = startServer(['serve'], env, cwd);
    const [, url] = await first.waitForOutput(/running at (http:\/\/\S+)/);
    const [, email, password] = await first.waitForOutput(/Sign in:\s+(\S+) \/ (\S+)/);
    const [, ingestToken] = await first.waitForOutput(/Ingest token: (\S+)/);
    expect(email).toBe('demo@klang.example');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    for (const file of ['secret.key', 'ingest.token', 'demo-credentials.json', 'klang.db']) {
      expect(statSync(join(cwd, 'data', file)).mode & 0o777).toBe(0o600);
    }
    expect(statSync(join(cwd, 'data')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(cwd, 'data', 'ingest.token'), 'utf8').trim()).toBe(ingestToken);
    const conversation = await fetch(`${url}/internal/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'conversation.ready', conversation_id: 'conv_demo_weekly' }),
    });
    expect(conversation.status).toBe(202);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // A restart prints the same sign-in, and only where the ingest token is kept, never the token.
    const second = startServer(['serve'], env, cwd);
    const [, email2, password2] = await second.waitForOutput(/Sign in:\s+(\S+) \/ (\S+)/);
    await second.waitForOutput(/Ingest token: kept in \S*ingest\.token/);
    expect([email2, password2]).toEqual([email, password]);
    expect(second.output()).not.toContain(ingestToken);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('never prints an ingest token the operator supplied', async () => {
    const own = mkdtempSync(join(tmpdir(), 'klang-cli-token-'));
    try {
      const token = 'operator-supplied-ingest-token-42';
      const server = startServer(['serve'], { ...env, KLANG_INGEST_TOKEN: token }, own);
      await server.waitForOutput(/Ingest token: from KLANG_INGEST_TOKEN/);
      expect(server.output()).not.toContain(token);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('manages users and publishes events as the host would', async () => {
    // A data dir of its own, with one conversation, so the test runs alone or in any order.
    const cwd = mkdtempSync(join(tmpdir(), 'klang-cli-users-'));
    onTestFinished(() => rmSync(cwd, { recursive: true, force: true }));
    expect((await runCli(['migrate'], env, cwd)).code).toBe(0);
    const database = connectDatabase(`sqlite:${join(cwd, 'data', 'klang.db')}`);
    try {
      await insertConversation(database.db, await insertUser(database.db, 'pro'), {}, 'conv_cli');
    } finally {
      await database.close();
    }
    const created = await runCli(
      ['users', 'create', '--email', 'Ops@Example.com', '--plan', 'free', '--id', 'usr_ops'],
      env,
      cwd,
    );
    expect(created).toMatchObject({ code: 0, stdout: 'usr_ops ops@example.com free\n' });
    const upgraded = await runCli(
      ['users', 'set-plan', '--email', 'ops@example.com', '--plan', 'team'],
      env,
      cwd,
    );
    expect(upgraded).toMatchObject({ code: 0, stdout: 'usr_ops ops@example.com team\n' });
    const token = await runCli(
      ['tokens', 'create', '--email', 'ops@example.com', '--name', 'deploy'],
      env,
      cwd,
    );
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^\S{20,}\n$/);
    const noUser = await runCli(['tokens', 'create', '--email', 'ghost@example.com'], env, cwd);
    expect(noUser).toMatchObject({
      code: 1,
      stderr: 'klang-webhooks: No user with the email ghost@example.com.\n',
    });
    const published = await runCli(
      ['events', 'publish', '--type', 'conversation.deleted', '--conversation', 'conv_cli'],
      env,
      cwd,
    );
    expect(published.code).toBe(0);
    expect(published.stdout).toMatch(/^evt_[0-9a-z]{26} deliveries=0 missed=0\n$/);
  });

  it('answers expected failures with one line and a non-zero status', async () => {
    const unknownPlan = await runCli(
      ['users', 'create', '--email', 'x@example.com', '--plan', 'gold'],
      env,
      cwd,
    );
    expect(unknownPlan.code).not.toBe(0);
    expect(unknownPlan.stderr).toMatch(/--plan/);
    const missing = await runCli(
      ['users', 'set-plan', '--email', 'nobody@example.com', '--plan', 'pro'],
      env,
      cwd,
    );
    expect(missing).toMatchObject({
      code: 1,
      stderr: 'klang-webhooks: No user with the email nobody@example.com.\n',
    });
    const badType = await runCli(
      ['events', 'publish', '--type', 'conversation.nope', '--conversation', 'conv_demo_weekly'],
      env,
      cwd,
    );
    expect(badType.code).toBe(1);
    expect(badType.stderr).toMatch(/Unknown event type/);
  });

  it('exits with status 2 and one line naming a bad variable', async () => {
    const result = await runCli(['migrate'], { KLANG_RETRY_SCHEDULE: '5s,later' }, cwd);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'klang-webhooks: KLANG_RETRY_SCHEDULE="5s,later" is not valid: expected comma-separated durations such as 5s,5m,30m, or none\n',
    );
    // A secret's value is never echoed: only its name and what is allowed.
    const secret = await runCli(['migrate'], { KLANG_INGEST_TOKEN: 'hunter2-short' }, cwd);
    expect(secret).toMatchObject({
      code: 2,
      stderr:
        'klang-webhooks: KLANG_INGEST_TOKEN is not valid (value not shown): expected any string of 16 or more characters\n',
    });
    const pg = await runCli(['migrate'], { KLANG_DATABASE_URL: 'postgres://127.0.0.1:1/x' }, cwd);
    expect(pg.code).not.toBe(0);
    const serve = await runCli(['serve'], { KLANG_DATABASE_URL: 'postgres://127.0.0.1:1/x' }, cwd);
    expect(serve).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^klang-webhooks: KLANG_SECRET_KEY is required with PostgreSQL/),
    });
  });

  it.each([
    [[]],
    [['serve']],
    [['migrate']],
    [['users', 'create']],
    [['users', 'set-plan']],
    [['tokens', 'create']],
    [['events', 'publish']],
    [['backup']],
    [['doctor']],
    [['rotate-secret-key']],
  ])('prints help for %j', async (args) => {
    const result = await runCli([...args, '--help'], env, cwd);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: klang-webhooks/);
  });
});
