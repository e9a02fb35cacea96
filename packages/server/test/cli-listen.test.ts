// `klang-webhooks listen` as a developer runs it: a real server with private targets off, the CLI
// forwarding its development endpoint's deliveries to a receiver on 127.0.0.1, and the answers in the
// attempt log.
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { runCli, startServer } from './support/cli-process.ts';
import {
  closedPort,
  type Receiver,
  startReceiver,
  startUserServer,
  type UserServer,
  until,
} from './support/user-cli.ts';

describe('klang-webhooks listen', () => {
  let s: UserServer;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver(202);
    s = await startUserServer();
    expect((await s.cli(['login', '--email', s.email, '--password', s.password])).code).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
    await receiver?.close();
  });

  it('forwards test and real events, signed, to a local URL and reports the answers into the attempt log', async () => {
    const env = { XDG_CONFIG_HOME: s.configDir, KLANG_API_URL: s.url };
    const listen = startServer(['listen', '--forward-to', receiver.url], env, s.cwd);
    onTestFinished(() => {
      listen.child.kill('SIGKILL');
    });
    const [, id] = await listen.waitForOutput(/^Endpoint:\s+(wh_\w+)$/m);
    const [, secret] = await listen.waitForOutput(/^Signing secret:\s+(whsec_\S+)$/m);
    await listen.waitForOutput(/^Ready: /m);
    // Private targets are off: the webhook URL policy would refuse this receiver.
    const refused = await s.cli(['webhooks', 'create', '--url', receiver.url]);
    expect(refused.code).toBe(1);

    const sent = await s.cli(['webhooks', 'test', id!, '--type', 'conversation.ready']);
    const [, testId] = sent.stdout.match(/(evt_test_\w+)/) ?? [];
    await listen.waitForOutput(new RegExp(`^conversation\\.ready TEST  ${testId}  202  \\d+ ms$`, 'm'));
    const published = await runCli(
      ['events', 'publish', '--type', 'conversation.ready', '--conversation', 'conv_demo_weekly'],
      {},
      s.cwd,
    );
    const [, eventId] = published.stdout.match(/^(evt_\w+) deliveries=1/) ?? [];
    expect(eventId).toBeDefined();
    await listen.waitForOutput(new RegExp(`^conversation\\.ready  ${eventId}  202  \\d+ ms$`, 'm'));

    // Exactly what production sends: the Standard Webhooks verifier accepts both requests.
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual([testId, eventId]);
    for (const request of receiver.received) {
      const verified = new Webhook(secret!).verify(request.body, request.headers as Record<string, string>);
      expect(verified).toMatchObject({ type: 'conversation.ready' });
      expect(request.headers['user-agent']).toMatch(/^Klang-Webhooks\//);
    }

    const page = await until(
      async () => JSON.parse((await s.cli(['attempts', 'list', id!, '--json'])).stdout),
      (p) => p.data.length === 2,
    );
    expect(page.data).toMatchObject([
      { event_id: eventId, test: false, outcome: 'succeeded', response_status: 202 },
      { event_id: testId, test: true, outcome: 'succeeded', response_status: 202 },
    ]);
    const detail = JSON.parse((await s.cli(['attempts', 'get', id!, page.data[0].id, '--json'])).stdout);
    expect(detail.request.headers['webhook-id']).toBe(eventId);
    expect(detail.response).toMatchObject({ status: 202, body: '{"received":true}' });
    expect(detail.response.headers['x-receiver']).toBe('local');

    // Stopping the CLI removes the endpoint.
    listen.child.kill('SIGINT');
    expect(await listen.exited).toBe(0);
    expect(listen.output()).toContain(`Removed ${id}.`);
    const gone = await s.cli(['webhooks', 'get', id!]);
    expect(gone.code).toBe(1);
  }, 120_000);

  it('refuses to pause a development endpoint, and reports a local receiver that is down', async () => {
    const env = { XDG_CONFIG_HOME: s.configDir, KLANG_API_URL: s.url };
    const down = `http://127.0.0.1:${await closedPort()}/hook`;
    const listen = startServer(
      ['listen', '--forward-to', down, '--events', 'conversation.failed'],
      env,
      s.cwd,
    );
    onTestFinished(() => {
      listen.child.kill('SIGKILL');
    });
    const [, id] = await listen.waitForOutput(/^Endpoint:\s+(wh_\w+)$/m);
    await listen.waitForOutput(/^Events:\s+conversation\.failed$/m);
    const pause = await s.cli(['webhooks', 'pause', id!]);
    expect(pause).toMatchObject({ code: 1, stderr: expect.stringMatching(/klang-webhooks listen/) });
    await s.cli(['webhooks', 'test', id!]);
    await listen.waitForOutput(
      /^conversation\.failed TEST {2}evt_test_\w+ {2}error: ECONNREFUSED {2}\d+ ms$/m,
    );
    const page = await until(
      async () => JSON.parse((await s.cli(['attempts', 'list', id!, '--json'])).stdout),
      (p) => p.data.length === 1,
    );
    expect(page.data[0]).toMatchObject({
      outcome: 'failed',
      error: 'connection_refused',
      response_status: null,
    });
    listen.child.kill('SIGTERM');
    expect(await listen.exited).toBe(0);
  }, 120_000);
});
