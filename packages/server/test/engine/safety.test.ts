// Hostile receivers and destinations through the running engine: slow-loris cut at the total
// deadline, redirects never followed, huge bodies capped, blocked addresses never connected to
// (literals, and a rebinding host resolved at connect time).
import { afterEach, beforeAll, expect, it } from 'vitest';
import type { LookupFn } from '../../src/engine/destination-guard.ts';
import { describeEachDatabase } from '../support/databases.ts';
import { type EngineHarness, startHarness } from './support/engine.ts';
import {
  answer,
  createReceiver,
  type Receiver,
  type TestCertificate,
  testCertificate,
  waitFor,
} from './support/receiver.ts';

describeEachDatabase('delivery safety (%s)', (kind) => {
  let harness: EngineHarness;
  let certificate: TestCertificate;
  const receivers: Receiver[] = [];
  const timers: NodeJS.Timeout[] = [];

  beforeAll(async () => {
    certificate = await testCertificate();
  });
  afterEach(async () => {
    for (const timer of timers.splice(0)) clearInterval(timer);
    await harness?.dispose();
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });

  const firstAttempt = (webhookId: string) =>
    waitFor(
      async () => {
        const rows = await harness.attempts(webhookId);
        return rows.length > 0 ? rows : undefined;
      },
      10_000,
      'the first attempt',
    );

  async function receiver(tls = false) {
    const created = await createReceiver(tls ? { tls: certificate } : {});
    receivers.push(created);
    return created;
  }

  it('cuts a slow-loris receiver at the total deadline and records a timeout', async () => {
    harness = await startHarness(kind, { KLANG_DELIVERY_TIMEOUT: '300ms', KLANG_RETRY_SCHEDULE: '1h' });
    const target = await receiver();
    target.respond((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      timers.push(setInterval(() => res.write('.'), 25));
    });
    const { conversationId, webhook } = await harness.setup(target.url);
    const eventId = await harness.publish(conversationId);
    const [attempt] = await firstAttempt(webhook.id);
    expect(await harness.delivery(eventId, webhook.id)).toMatchObject({ status: 'pending', attempts: 1 });
    expect(attempt).toMatchObject({ outcome: 'failed', error: 'timeout', response_status: 200 });
    expect(attempt!.duration_ms).toBeGreaterThanOrEqual(290);
    expect(attempt!.duration_ms).toBeLessThan(1_000);
  });

  it('never follows a redirect to 127.0.0.1', async () => {
    harness = await startHarness(kind, { KLANG_RETRY_SCHEDULE: '1h' });
    const target = await receiver();
    const inside = await receiver();
    target.respond(answer(302, { location: `${inside.url}/latest/meta-data` }));
    const { conversationId, webhook } = await harness.setup(target.url);
    await harness.publish(conversationId);
    const [attempt] = await firstAttempt(webhook.id);
    expect(attempt).toMatchObject({ error: 'redirect', response_status: 302 });
    expect(attempt!.error_message).toContain(inside.url);
    expect(inside.requests).toHaveLength(0);
    expect(inside.connections).toBe(0);
  });

  it('stores at most 64 KiB of a huge response, marked truncated', async () => {
    harness = await startHarness(kind);
    const target = await receiver();
    target.respond((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('z'.repeat(4 * 1024 * 1024));
    });
    const { conversationId, webhook } = await harness.setup(target.url);
    const eventId = await harness.publish(conversationId);
    await harness.settled(eventId, webhook.id, ['succeeded']);
    const [attempt] = await harness.attempts(webhook.id);
    expect(attempt!.response_body).toHaveLength(64 * 1024);
    expect(attempt!.response_truncated).toBe(1);
  });

  it.each(['127.0.0.1', '[::ffff:127.0.0.1]'])(
    'refuses the literal %s without opening a connection when private targets are not allowed',
    async (host) => {
      // https with a receiver whose certificate is trusted: only the literal-address check stands
      // between the attempt and a connection.
      harness = await startHarness(
        kind,
        { KLANG_ALLOW_PRIVATE_TARGETS: 'false', KLANG_RETRY_SCHEDULE: '1h' },
        { ca: certificate.cert },
      );
      const target = await receiver(true);
      const { conversationId, webhook } = await harness.setup(`https://${host}:${target.port}/`);
      const eventId = await harness.publish(conversationId);
      const [attempt] = await firstAttempt(webhook.id);
      expect((await harness.delivery(eventId, webhook.id)).attempts).toBe(1);
      expect(attempt).toMatchObject({ error: 'blocked_address', response_status: null, response_body: null });
      expect(attempt!.error_message).toMatch(/loopback/i);
      expect(attempt!.error_message).not.toContain('use https');
      expect(target.connections).toBe(0);
    },
  );

  it('blocks a host that answered a public address before and 127.0.0.1 now (rebinding)', async () => {
    const answers = ['93.184.216.34', '127.0.0.1'];
    let calls = 0;
    const lookup: LookupFn = async () => [{ address: answers[Math.min(calls++, 1)]!, family: 4 }];
    harness = await startHarness(
      kind,
      { KLANG_ALLOW_PRIVATE_TARGETS: 'false', KLANG_RETRY_SCHEDULE: '1h' },
      { lookup, ca: certificate.cert },
    );
    const target = await receiver(true);
    const { resolveAndCheckHost } = await import('../../src/engine/index.ts');
    expect(await resolveAndCheckHost('rebind.example', { allowPrivate: false, lookup })).toMatchObject({
      ok: true,
    });
    const { conversationId, webhook } = await harness.setup(`https://rebind.example:${target.port}/hook`);
    await harness.publish(conversationId);
    const [attempt] = await firstAttempt(webhook.id);
    expect(attempt).toMatchObject({ error: 'blocked_address' });
    expect(calls).toBe(2);
    expect(target.connections).toBe(0);
    expect(target.requests).toHaveLength(0);
  });

  it('reaches the same host through the lookup hook when private targets are allowed', async () => {
    const lookup: LookupFn = async () => [{ address: '127.0.0.1', family: 4 }];
    harness = await startHarness(kind, {}, { lookup, ca: certificate.cert });
    const target = await receiver(true);
    const { conversationId, webhook } = await harness.setup(`https://rebind.example:${target.port}/hook`);
    const eventId = await harness.publish(conversationId);
    await harness.settled(eventId, webhook.id, ['succeeded']);
    await waitFor(() => target.requests.length === 1);
    expect(target.requests[0]!.headers.host).toBe(`rebind.example:${target.port}`);
  });
});
