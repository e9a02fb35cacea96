// Failures the framework answers before any route runs — malformed framing, oversized headers, a known
// path with a wrong method — in the contract's error shape; 405 lists the route table's methods in Allow.
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.ts';
import { describeEachDatabase } from '../support/databases.ts';

/** Sends raw bytes to the server and resolves with everything it answers before closing. */
function rawRequest(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer in time; got ${JSON.stringify(answer)}`));
    }, 5_000);
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.write(bytes);
  });
}

/** Status, headers (lower-case names) and JSON body of a raw HTTP/1.1 answer. */
function parseAnswer(answer: string) {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [
      line.slice(0, line.indexOf(':')).toLowerCase(),
      line.slice(line.indexOf(':') + 1).trim(),
    ]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) };
}

describeEachDatabase('framework errors on %s', (kind) => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await createTestApp(kind);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });
  afterAll(() => t?.dispose());

  it.each([
    ['a garbage request line', 'HELLO\r\n\r\n'],
    ['a bad header line', 'GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n'],
    [
      'conflicting framing',
      'POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
  ])('%s → 400 bad_request in the error shape', async (_name, bytes) => {
    const answer = parseAnswer(await rawRequest(port, bytes));
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.body).toEqual({ error: { code: 'bad_request', message: expect.stringMatching(/HTTP/) } });
  });

  it('headers over the limit → 431 headers_too_large in the error shape', async () => {
    const bytes = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;
    const answer = parseAnswer(await rawRequest(port, bytes));
    expect(answer.status).toBe(431);
    expect(answer.body).toEqual({
      error: { code: 'headers_too_large', message: expect.stringMatching(/16 KiB/) },
    });
  });

  it.each([
    ['DELETE', '/api/v1/me', 'GET, HEAD'],
    ['PUT', '/api/v1/webhooks/wh_x', 'DELETE, GET, HEAD, PATCH'],
    ['GET', '/api/v1/session', 'DELETE, POST'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['DELETE', '/internal/v1/users/u_1', 'PUT'],
    ['POST', '/api/v1/webhooks/wh_x/attempts/att_y', 'GET, HEAD'],
  ])('%s %s → 405 method_not_allowed with Allow: %s', async (method, url, allow) => {
    if (allow.split(', ').includes(method)) throw new Error('bad case');
    const response = await t.app.inject({ method: method as 'GET', url });
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(response.json()).toEqual({
      error: { code: 'method_not_allowed', message: expect.stringContaining(allow) },
    });
  });

  it('answers 405 for every API route of the table and a method it lacks, with exactly its methods', async () => {
    const table = t.app.routeTable().filter((r) => /^\/(api|internal)\/v1\//.test(r.url));
    expect(table.length).toBeGreaterThan(20);
    for (const route of table) {
      const url = route.url.replace(/:\w+/g, 'x1');
      const methods = table.filter((r) => r.url === route.url).map((r) => r.method);
      const missing = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].find((m) => !methods.includes(m));
      if (!missing) continue;
      const response = await t.app.inject({ method: missing as 'GET', url });
      expect(response.statusCode, `${missing} ${url}`).toBe(405);
      expect(response.headers.allow).toBe([...new Set(methods)].sort().join(', '));
    }
  });

  it('still answers 404 route_not_found for unknown paths', async () => {
    for (const url of ['/api/v1/nothing', '/api/v1/webhooks/wh_x/nothing', '/api/v1/webhooks/a/b/c/d']) {
      const response = await t.app.inject({ method: 'POST', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json().error.code).toBe('route_not_found');
      expect(response.headers.allow).toBeUndefined();
    }
  });
});
