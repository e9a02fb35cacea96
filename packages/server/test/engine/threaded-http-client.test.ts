// The HTTP client on a send thread against real receivers on 127.0.0.1: the same outcomes as on the
// main thread (answers, deadlines, TLS trust, the address policy, which runs in the thread), requests
// batched across the port, a clean close, and a thread that dies failing open requests only.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { sign } from '../../src/engine/signing.ts';
import {
  createThreadedHttpClient,
  type ThreadedClientOptions,
} from '../../src/engine/threaded-http-client.ts';
import { BODY, HEADERS, useClientFixture } from './support/client-fixture.ts';
import { answer } from './support/receiver.ts';

const {
  client,
  receiver,
  certificate: cert,
} = useClientFixture<ThreadedClientOptions>(createThreadedHttpClient);

describe('http client on a send thread', () => {
  it('posts the body and headers and brings the answer back', async () => {
    const target = await receiver();
    target.respond(answer(200, { 'x-answer': 'yes' }, 'thanks'));
    const outcome = await client().send({ url: `${target.url}/hook?x=1`, headers: HEADERS, body: BODY });
    expect(outcome).toMatchObject({
      outcome: 'succeeded',
      response: { status: 200, body: 'thanks', bodyEncoding: 'utf8', truncated: false },
    });
    expect(outcome.outcome === 'succeeded' && outcome.response.headers['x-answer']).toBe('yes');
    expect(target.requests[0]).toMatchObject({ method: 'POST', path: '/hook?x=1', body: BODY });
    expect(target.requests[0]!.headers['webhook-id']).toBe('evt_1');
  });

  it('answers each of many concurrent requests with its own outcome', async () => {
    const ok = await receiver();
    const refusing = await receiver();
    refusing.respond(answer(500, {}, 'nope'));
    const http = client();
    const sends = Array.from({ length: 60 }, (_, i) =>
      http.send({ url: `${i % 2 ? refusing.url : ok.url}/n/${i}`, headers: HEADERS, body: `{"n":${i}}` }),
    );
    const outcomes = await Promise.all(sends);
    outcomes.forEach((outcome, i) => {
      expect(outcome.outcome).toBe(i % 2 ? 'failed' : 'succeeded');
      if (i % 2) expect(outcome).toMatchObject({ error: 'http_status', response: { status: 500 } });
    });
    expect(ok.requests.map((r) => r.body).sort()).toEqual(
      outcomes.flatMap((_, i) => (i % 2 ? [] : [`{"n":${i}}`])).sort(),
    );
  });

  it('signs in the thread and gives back the signature it sent', async () => {
    const target = await receiver();
    const current = `whsec_${Buffer.alloc(24, 1).toString('base64')}`;
    const previous = `whsec_${Buffer.alloc(24, 2).toString('base64')}`;
    const signing = { secrets: [current, previous], id: 'evt_1', timestamp: 1_767_225_600 };
    const sent = await client().sendSigned({ url: target.url, headers: HEADERS, body: BODY }, signing);
    expect(sent.outcome.outcome).toBe('succeeded');
    const expected = `${sign(current, 'evt_1', signing.timestamp, BODY)} ${sign(previous, 'evt_1', signing.timestamp, BODY)}`;
    expect(sent.signature).toBe(expected);
    expect(target.requests[0]!.headers['webhook-signature']).toBe(expected);
  });

  it('keeps the total deadline in the thread', async () => {
    const target = await receiver();
    target.respond(() => {}); // never answers
    const outcome = await client({ totalTimeoutMs: 200 }).send({
      url: target.url,
      headers: HEADERS,
      body: BODY,
    });
    expect(outcome).toMatchObject({ outcome: 'failed', error: 'timeout' });
    expect(outcome.durationMs).toBeLessThan(1_500);
  });

  it('trusts a self-signed HTTPS receiver only through the given CA', async () => {
    const target = await receiver(true);
    const request = { url: target.url, headers: HEADERS, body: BODY };
    expect((await client({ ca: cert().cert }).send(request)).outcome).toBe('succeeded');
    expect(await client().send(request)).toMatchObject({ outcome: 'failed', error: 'tls_error' });
  });

  it('refuses a private address in the thread unless private targets are allowed', async () => {
    const target = await receiver();
    const outcome = await client({ allowPrivate: false }).send({
      url: target.url,
      headers: HEADERS,
      body: BODY,
    });
    expect(outcome).toMatchObject({ outcome: 'failed', error: 'blocked_address' });
    expect(target.requests).toHaveLength(0);
  });

  it('fails the open requests of a thread that dies and sends later ones from the main thread', async () => {
    const target = await receiver();
    const problems: string[] = [];
    // A thread that takes the first batch and exits without answering.
    const dying = () =>
      new Worker("require('node:worker_threads').parentPort.once('message', () => process.exit(3));", {
        eval: true,
      });
    const http = client({ onProblem: (message) => problems.push(message), spawnThread: dying });
    const lost = await http.send({ url: target.url, headers: HEADERS, body: BODY });
    expect(lost).toMatchObject({ outcome: 'failed', error: 'network_error' });
    expect(problems).toEqual([expect.stringContaining('exited (code 3)')]);
    const later = await http.send({ url: target.url, headers: HEADERS, body: BODY });
    expect(later.outcome).toBe('succeeded');
    expect(target.requests).toHaveLength(1);
  });

  it('is ready once its thread is up, or once a thread that died at start fell back', async () => {
    const options = { connectTimeoutMs: 1_000, totalTimeoutMs: 300, allowPrivate: true };
    const up = createThreadedHttpClient(options);
    const dead = createThreadedHttpClient({
      ...options,
      onProblem: () => {},
      spawnThread: () => new Worker('process.exit(2)', { eval: true }),
    });
    await Promise.all([up.ready, dead.ready]);
    const target = await receiver();
    expect((await dead.send({ url: target.url, headers: HEADERS, body: BODY })).outcome).toBe('succeeded');
    await Promise.all([up.close(), dead.close()]);
  });

  it('closes: the thread ends and its connections with it', async () => {
    const target = await receiver();
    const http = createThreadedHttpClient({
      connectTimeoutMs: 1_000,
      totalTimeoutMs: 300,
      allowPrivate: true,
    });
    expect((await http.send({ url: target.url, headers: HEADERS, body: BODY })).outcome).toBe('succeeded');
    await http.close();
    await expect.poll(() => target.openConnections(), { timeout: 2_000 }).toBe(0);
  });
});
