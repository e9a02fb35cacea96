// HTTP client tests' shared setup: the body and headers they send, clients and real receivers
// (HTTP, or HTTPS with the test certificate) made per test and closed after it.
import { afterEach, beforeAll } from 'vitest';
import type { HttpClient, HttpClientOptions } from '../../../src/engine/http-client.ts';
import { createReceiver, type Receiver, type TestCertificate, testCertificate } from './receiver.ts';

export const BODY = JSON.stringify({ id: 'evt_1', type: 'conversation.ready' });
export const HEADERS = { 'content-type': 'application/json', 'webhook-id': 'evt_1' };

/** Test defaults: a short deadline, private targets allowed (receivers listen on 127.0.0.1). */
export const CLIENT_DEFAULTS: HttpClientOptions = {
  connectTimeoutMs: 1_000,
  totalTimeoutMs: 300,
  allowPrivate: true,
};

/** Registers the hooks; `client` builds one with `create` from the defaults and `options`. */
export function useClientFixture<O extends object>(create: (options: HttpClientOptions & O) => HttpClient) {
  let certificate: TestCertificate;
  const clients: HttpClient[] = [];
  const receivers: Receiver[] = [];
  beforeAll(async () => {
    certificate = await testCertificate();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(receivers.splice(0).map((r) => r.close()));
  });
  return {
    certificate: () => certificate,
    client(options: Partial<HttpClientOptions & O> = {}): HttpClient {
      const created = create({ ...CLIENT_DEFAULTS, ...options } as HttpClientOptions & O);
      clients.push(created);
      return created;
    },
    async receiver(tls = false): Promise<Receiver> {
      const created = await createReceiver(tls ? { tls: certificate } : {});
      receivers.push(created);
      return created;
    },
  };
}
