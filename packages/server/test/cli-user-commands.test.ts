// The user commands (login, webhooks, attempts, deliveries) as a user runs them: real processes
// against a real server on 127.0.0.1 with its embedded SQLite database.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closedPort,
  type Receiver,
  startReceiver,
  startUserServer,
  type UserServer,
  until,
} from './support/user-cli.ts';

describe('klang-webhooks user commands', () => {
  let s: UserServer;
  let receiver: Receiver;
  const credentials = () => join(s.configDir, 'klang-webhooks', 'credentials.json');
  const json = async (args: string[], env?: Record<string, string>) => {
    const result = await s.cli([...args, '--json'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout);
  };

  beforeAll(async () => {
    receiver = await startReceiver(200);
    s = await startUserServer({ KLANG_ALLOW_PRIVATE_TARGETS: 'true', KLANG_RETRY_SCHEDULE: 'none' });
    // Signed in, so that each test also runs alone.
    expect((await s.cli(['login', '--email', s.email, '--password', s.password])).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
    await receiver?.close();
  });

  it('login creates an API token from email and password and stores it with mode 0600', async () => {
    const result = await s.cli(['login', '--email', s.email, '--password', s.password]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^Signed in as:\\s+${s.email} \\(pro\\)$`, 'm'));
    expect(statSync(credentials()).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(credentials(), 'utf8'));
    expect(stored).toMatchObject({ api_url: s.url, email: s.email, token: expect.stringMatching(/^kwt_/) });

    // The stored token is used, and `login --token` checks a token before keeping it.
    const again = await s.cli(['login', '--token', stored.token, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ user: { email: s.email }, api_url: s.url });
    const refused = await s.cli(['login', '--token', 'kwt_not_a_real_token']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^klang-webhooks: The server refused the token: .+\n$/);
    expect(JSON.parse(readFileSync(credentials(), 'utf8')).token).toBe(stored.token);
    const wrongPassword = await s.cli(['login', '--email', s.email, '--password', 'not-the-password']);
    expect(wrongPassword.code).toBe(1);
    expect(wrongPassword.stderr).toMatch(/^klang-webhooks: .*(email|password).*\n$/i);
  }, 60_000);

  it('manages a webhook end to end, with and without --json', async () => {
    const created = await json([
      'webhooks',
      'create',
      '--url',
      receiver.url,
      '--events',
      'conversation.ready',
    ]);
    expect(created).toMatchObject({
      id: expect.stringMatching(/^wh_/),
      secret: expect.stringMatching(/^whsec_/),
    });
    const id: string = created.id;

    const [listText, listJson, getText, updated] = await Promise.all([
      s.cli(['webhooks', 'list']),
      json(['webhooks', 'list']),
      s.cli(['webhooks', 'get', id]),
      json(['webhooks', 'update', id, '--description', 'from the CLI']),
    ]);
    expect(listText.stdout).toMatch(/^ID\s+STATUS\s+24H OK\/FAILED\s+EVENTS\s+URL$/m);
    expect(listText.stdout).toMatch(
      new RegExp(`^${id}\\s+active\\s+0/0\\s+conversation.ready\\s+${receiver.url}$`, 'm'),
    );
    expect(listJson.data.map((w: { id: string }) => w.id)).toContain(id);
    expect(getText.stdout).toMatch(new RegExp(`^ID:\\s+${id}$`, 'm'));
    expect(getText.stdout).toMatch(/^Status:\s+active$/m);
    expect(getText.stdout).not.toMatch(/whsec_/);
    expect(updated).toMatchObject({ id, description: 'from the CLI' });

    const paused = await s.cli(['webhooks', 'pause', id]);
    expect(paused.stdout).toMatch(/^Status:\s+paused \(Paused by the owner\.\)$/m);
    const testWhilePaused = await s.cli(['webhooks', 'test', id]);
    expect(testWhilePaused).toMatchObject({
      code: 1,
      stderr: 'klang-webhooks: This webhook is paused; resume it to send a test event.\n',
    });
    expect(await json(['webhooks', 'resume', id])).toMatchObject({ status: 'active' });

    const sent = await s.cli(['webhooks', 'test', id]);
    expect(sent.code).toBe(0);
    const [, eventId] = sent.stdout.match(/^Sent test event (evt_test_\w+) to /) ?? [];
    expect(eventId).toBeDefined();
    const page = await until(
      () => json(['attempts', 'list', id]),
      (p) => p.data.length === 1,
    );
    const attempt = page.data[0];
    expect(attempt).toMatchObject({
      event_id: eventId,
      test: true,
      outcome: 'succeeded',
      response_status: 200,
    });

    const [attemptsText, detailText, detail] = await Promise.all([
      s.cli(['attempts', 'list', id]),
      s.cli(['attempts', 'get', id, attempt.id]),
      json(['attempts', 'get', id, attempt.id]),
    ]);
    expect(attemptsText.stdout).toMatch(
      /^TIME\s+ATTEMPT\s+EVENT TYPE\s+OUTCOME\s+ANSWER\s+DURATION\s+DELIVERY$/m,
    );
    expect(attemptsText.stdout).toMatch(
      new RegExp(
        `\\s${attempt.id}\\s+conversation.ready TEST\\s+succeeded\\s+200\\s+\\d+ ms\\s+${attempt.delivery_id}$`,
        'm',
      ),
    );
    expect(detailText.stdout).toMatch(/^Outcome:\s+succeeded$/m);
    expect(detailText.stdout).toMatch(/^ {2}webhook-signature: v1,/m);
    expect(detailText.stdout).toMatch(/^Response 200$/m);
    expect(detailText.stdout).toContain('{"received":true}');
    expect(detail).toMatchObject({ id: attempt.id, response: { status: 200 } });

    const resent = await s.cli(['deliveries', 'resend', id, attempt.delivery_id]);
    expect(resent).toMatchObject({
      code: 0,
      stdout: `Queued delivery ${attempt.delivery_id} of ${id} again.\n`,
    });
    await until(
      () => json(['attempts', 'list', id]),
      (p) => p.data.length === 2,
    );
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([eventId, eventId]);

    expect(await s.cli(['webhooks', 'delete', id])).toMatchObject({ code: 0, stdout: `Deleted ${id}.\n` });
    const gone = await s.cli(['webhooks', 'get', id]);
    expect(gone).toMatchObject({
      code: 1,
      stderr: 'klang-webhooks: There is no webhook with this id in your account.\n',
    });
  }, 120_000);

  it('prints the server’s message and exits non-zero on a bad token, bad input or no server', async () => {
    const closed = await closedPort();
    const [badToken, badUrl, noServer, envToken, noToken] = await Promise.all([
      s.cli(['webhooks', 'list', '--token', 'kwt_wrong']),
      s.cli(['webhooks', 'create', '--url', 'ftp://example.com/hook']),
      s.cli(['webhooks', 'list', '--api-url', `http://127.0.0.1:${closed}`]),
      s.cli(['webhooks', 'list', '--json'], { KLANG_API_TOKEN: 'kwt_from_env' }),
      s.cli(['webhooks', 'list'], { XDG_CONFIG_HOME: join(s.cwd, 'empty-config') }),
    ]);
    expect(badToken).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'klang-webhooks: The API token is not valid or has been revoked.\n',
    });
    expect(badUrl.code).toBe(1);
    expect(badUrl.stderr).toMatch(/^klang-webhooks: .*(https|URL).*\n$/i);
    expect(noServer.code).toBe(1);
    expect(noServer.stderr).toMatch(
      /^klang-webhooks: Cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); is the server running\?.*\n$/,
    );
    expect(envToken).toMatchObject({
      code: 1,
      stderr: 'klang-webhooks: The API token is not valid or has been revoked.\n',
    });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toMatch(/Not signed in: run `klang-webhooks login`/);
  }, 60_000);

  it.each([[['login']], [['webhooks', 'create']], [['attempts', 'list']], [['deliveries', 'resend']]])(
    'prints help for %j',
    async (args) => {
      const result = await s.cli([...args, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: klang-webhooks/);
      expect(result.stdout).toContain('--api-url');
    },
  );
});
