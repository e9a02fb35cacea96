// Real webhook receivers on 127.0.0.1 (HTTP or HTTPS with a self-signed certificate) whose answer
// can change mid-test; every request and every accepted connection is recorded.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { generate } from 'selfsigned';

export interface ReceivedRequest {
  at: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export type Handler = (request: ReceivedRequest, res: ServerResponse) => void;

export interface Receiver {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** TCP connections accepted so far. */
  connections: number;
  /** TCP connections open now. */
  openConnections(): number;
  respond(handler: Handler): void;
  close(): Promise<void>;
}

export const answer =
  (status: number, headers: Record<string, string> = {}, body = ''): Handler =>
  (_request, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };

export interface TestCertificate {
  key: string;
  cert: string;
}

let certificate: Promise<TestCertificate> | undefined;

/** One self-signed certificate per test process for localhost, 127.0.0.1 and *.example names. */
export function testCertificate(): Promise<TestCertificate> {
  certificate ??= generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: 'rebind.example' },
          { type: 2, value: 'receiver.example' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  }).then((pems) => ({ key: pems.private, cert: pems.cert }));
  return certificate;
}

export async function createReceiver(options: { tls?: TestCertificate } = {}): Promise<Receiver> {
  let handler: Handler = answer(200, { 'content-type': 'text/plain' }, 'ok');
  const sockets = new Set<Socket>();
  const receiver = { requests: [] as ReceivedRequest[], connections: 0 } as Receiver;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        at: Date.now(),
        method: req.method ?? '',
        path: req.url ?? '',
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      receiver.requests.push(request);
      handler(request, res);
    });
  };
  const server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest)
    : createHttpServer(onRequest);
  server.keepAliveTimeout = 30_000;
  const connectionEvent = options.tls ? 'secureConnection' : 'connection';
  server.on(connectionEvent, (socket: Socket) => {
    receiver.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  if (options.tls) server.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(receiver, {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    openConnections: () => sockets.size,
    respond(next: Handler) {
      handler = next;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** Polls `check` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
