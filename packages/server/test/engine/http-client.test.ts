// The guarded HTTP client against real receivers on 127.0.0.1: outcomes, deadlines, body cap,
// redirects, TLS trust and the address policy at connect time (rebinding through a stub lookup).
import { createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { type LookupFn, resolveAndCheckHost } from '../../src/engine/destination-guard.ts';
import { createHttpClient, httpClientOptions } from '../../src/engine/http-client.ts';
import { BODY, HEADERS, useClientFixture } from './support/client-fixture.ts';
import { answer } from './support/receiver.ts';

const { client, receiver, certificate: cert } = useClientFixture(createHttpClient);

describe('http client', () => {
  it('posts the body and headers and records a 2xx as success', async () => {
    const target = await receiver();
    target.respond(answer(204, { 'x-answer': 'yes' }));
    const outcome = await client().send({ url: `${target.url}/hook?x=1`, headers: HEADERS, body: BODY });
    expect(outcome.outcome).toBe('succeeded');
    expect(outcome.outcome === 'succeeded' && outcome.response.headers['x-answer']).toBe('yes');
    expect(target.requests).toHaveLength(1);
    expect(target.requests[0]).toMatchObject({ method: 'POST', path: '/hook?x=1', body: BODY });
    expect(target.requests[0]!.headers['webhook-id']).toBe('evt_1');
  });

  it('reuses one keep-alive connection per origin', async () => {
    const target = await receiver();
    const http = client();
    for (let i = 0; i < 20; i++) await http.send({ url: target.url, headers: HEADERS, body: BODY });
    expect(target.requests).toHaveLength(20);
    expect(target.connections).toBeLessThanOrEqual(2);
  });

  it('trusts a self-signed HTTPS receiver only through the given CA', async () => {
    const target = await receiver(true);
    const trusted = await client({ ca: cert().cert }).send({
      url: target.url,
      headers: HEADERS,
      body: BODY,
    });
    expect(trusted.outcome).toBe('succeeded');
    const untrusted = await client().send({ url: target.url, headers: HEADERS, body: BODY });
    expect(untrusted).toMatchObject({ outcome: 'failed', error: 'tls_error' });
    expect(target.requests).toHaveLength(1);
  });

  it('records a 500 with its body as an http_status failure', async () => {
    const target = await receiver();
    target.respond(answer(500, { 'content-type': 'text/plain' }, 'boom'));
    const outcome = await client().send({ url: target.url, headers: HEADERS, body: BODY });
    expect(outcome).toMatchObject({
      outcome: 'failed',
      error: 'http_status',
      response: { status: 500, body: 'boom', truncated: false },
    });
  });

  it.each([301, 302, 307, 308])('never follows a %i redirect to 127.0.0.1', async (status) => {
    const target = await receiver();
    const inside = await receiver();
    target.respond(answer(status, { location: `${inside.url}/secret` }));
    const outcome = await client().send({ url: target.url, headers: HEADERS, body: BODY });
    expect(outcome).toMatchObject({ outcome: 'failed', error: 'redirect', response: { status } });
    expect(inside.requests).toHaveLength(0);
    expect(inside.connections).toBe(0);
  });

  it('keeps the first 64 KiB of a large response and discards the rest', async () => {
    const target = await receiver();
    target.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('x'.repeat(1024 * 1024));
    });
    const outcome = await client({ totalTimeoutMs: 5_000 }).send({
      url: target.url,
      headers: HEADERS,
      body: BODY,
    });
    expect(outcome.outcome).toBe('succeeded');
    if (outcome.outcome !== 'succeeded') return;
    expect(outcome.response.body).toHaveLength(64 * 1024);
    expect(outcome.response.truncated).toBe(true);
  });

  it('keeps a body of exactly 64 KiB whole', async () => {
    const target = await receiver();
    target.respond(answer(200, {}, 'y'.repeat(64 * 1024)));
    const outcome = await client({ totalTimeoutMs: 5_000 }).send({
      url: target.url,
      headers: HEADERS,
      body: BODY,
    });
    expect(outcome.outcome === 'succeeded' && outcome.response.truncated).toBe(false);
  });

  it('cuts a receiver that trickles its body at the total deadline', async () => {
    const target = await receiver();
    const timers: NodeJS.Timeout[] = [];
    target.respond((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      timers.push(setInterval(() => res.write('.'), 20));
    });
    const started = Date.now();
    const outcome = await client({ totalTimeoutMs: 300 }).send({
      url: target.url,
      headers: HEADERS,
      body: BODY,
    });
    const took = Date.now() - started;
    for (const timer of timers) clearInterval(timer);
    expect(outcome).toMatchObject({ outcome: 'failed', error: 'timeout', response: { status: 200 } });
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1_000);
  });

  it('cuts a receiver that never answers, and one that trickles header bytes', async () => {
    const silent = await rawServer(() => {});
    const trickle = await rawServer((socket) => {
      const text = 'HTTP/1.1 200 OK\r\nX-Slow: ' + 'a'.repeat(1000);
      let i = 0;
      const timer = setInterval(
        () => (i < text.length ? socket.write(text[i++]!) : clearInterval(timer)),
        10,
      );
      socket.on('close', () => clearInterval(timer));
    });
    try {
      for (const port of [silent.port, trickle.port]) {
        const started = Date.now();
        const outcome = await client({ totalTimeoutMs: 300 }).send({
          url: `http://127.0.0.1:${port}/`,
          headers: HEADERS,
          body: BODY,
        });
        expect(outcome).toMatchObject({ outcome: 'failed', error: 'timeout' });
        expect(Date.now() - started).toBeLessThan(1_000);
      }
    } finally {
      await silent.close();
      await trickle.close();
    }
  });

  it('reports a refused connection', async () => {
    const target = await receiver();
    const url = target.url;
    await target.close(); // closing it again after the test is harmless
    const outcome = await client().send({ url, headers: HEADERS, body: BODY });
    expect(outcome).toMatchObject({ outcome: 'failed', error: 'connection_refused' });
  });

  it('reports a DNS failure', async () => {
    const lookup: LookupFn = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const outcome = await client({ lookup }).send({
      url: 'http://nowhere.example/',
      headers: HEADERS,
      body: BODY,
    });
    expect(outcome).toMatchObject({ outcome: 'failed', error: 'dns_error' });
  });
});

describe('address policy at connect time', () => {
  it.each(['127.0.0.1', '[::ffff:127.0.0.1]', '[::1]'])(
    'refuses the literal %s and opens no connection',
    async (host) => {
      const target = await receiver();
      const url = `https://${host}:${target.port}/`;
      const outcome = await client({ allowPrivate: false }).send({ url, headers: HEADERS, body: BODY });
      expect(outcome).toMatchObject({ outcome: 'failed', error: 'blocked_address' });
      expect(target.connections).toBe(0);
    },
  );

  it('blocks a host that resolves to a public address at save time and to 127.0.0.1 at delivery', async () => {
    const target = await receiver(true);
    const answers = ['93.184.216.34', '127.0.0.1'];
    const calls: string[] = [];
    const lookup: LookupFn = async (hostname) => {
      calls.push(hostname);
      const address = answers[Math.min(calls.length - 1, answers.length - 1)]!;
      return [{ address, family: 4 }];
    };
    const saved = await resolveAndCheckHost('rebind.example', { allowPrivate: false, lookup });
    expect(saved).toEqual({ ok: true, addresses: ['93.184.216.34'], resolved: true });

    const http = client({ allowPrivate: false, lookup, ca: cert().cert });
    const outcome = await http.send({
      url: `https://rebind.example:${target.port}/`,
      headers: HEADERS,
      body: BODY,
    });
    expect(outcome).toMatchObject({ outcome: 'failed', error: 'blocked_address' });
    expect(calls).toEqual(['rebind.example', 'rebind.example']);
    expect(target.connections).toBe(0);
    expect(target.requests).toHaveLength(0);
  });

  it('refuses an http:// URL once private targets are not allowed', async () => {
    const target = await receiver();
    const lookup: LookupFn = async () => [{ address: '93.184.216.34', family: 4 }];
    const outcome = await client({ allowPrivate: false, lookup }).send({
      url: `http://plain.example:${target.port}/`,
      headers: HEADERS,
      body: BODY,
    });
    expect(outcome).toMatchObject({ outcome: 'failed', error: 'blocked_address' });
    expect(target.connections).toBe(0);
  });

  it('blocks a host when any of its addresses is private', async () => {
    const target = await receiver();
    const lookup: LookupFn = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];
    const outcome = await client({ allowPrivate: false, lookup }).send({
      url: `https://mixed.example:${target.port}/`,
      headers: HEADERS,
      body: BODY,
    });
    expect(outcome).toMatchObject({ outcome: 'failed', error: 'blocked_address' });
    expect(target.connections).toBe(0);
  });

  it('connects through the same lookup hook when private targets are allowed', async () => {
    const target = await receiver(true);
    const lookup: LookupFn = async () => [{ address: '127.0.0.1', family: 4 }];
    const outcome = await client({ allowPrivate: true, lookup, ca: cert().cert }).send({
      url: `https://rebind.example:${target.port}/`,
      headers: HEADERS,
      body: BODY,
    });
    expect(outcome.outcome).toBe('succeeded');
    expect(target.requests[0]!.headers.host).toBe(`rebind.example:${target.port}`);
  });
});

describe('client settings from the configuration', () => {
  it('defaults to a 15 s total deadline and a 5 s connect timeout', () => {
    const options = httpClientOptions(loadConfig({}));
    expect(options).toMatchObject({ totalTimeoutMs: 15_000, connectTimeoutMs: 5_000, allowPrivate: false });
  });

  it('follows KLANG_DELIVERY_TIMEOUT, KLANG_CONNECT_TIMEOUT and KLANG_ALLOW_PRIVATE_TARGETS', () => {
    const options = httpClientOptions(
      loadConfig({
        KLANG_DELIVERY_TIMEOUT: '300ms',
        KLANG_CONNECT_TIMEOUT: '100ms',
        KLANG_ALLOW_PRIVATE_TARGETS: 'true',
      }),
    );
    expect(options).toMatchObject({ totalTimeoutMs: 300, connectTimeoutMs: 100, allowPrivate: true });
  });
});

async function rawServer(
  onConnection: (socket: Socket) => void,
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
