import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, WebhookVerificationError } from '../src/index.ts';
import vectors from './vectors.json' with { type: 'json' };

const [spec, klang] = vectors as [(typeof vectors)[number], (typeof vectors)[number]];
const at = (seconds: number) => new Date(seconds * 1000);
const headersOf = (v: typeof spec, signature = v.signature) => ({
  'webhook-id': v.id,
  'webhook-timestamp': String(v.timestamp),
  'webhook-signature': signature,
});

function reasonOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('signWebhook', () => {
  it.each(vectors)('matches the shared vector $id', (v) => {
    expect(signWebhook({ id: v.id, timestamp: v.timestamp, body: v.body, secret: v.secret })).toBe(
      v.signature,
    );
  });
});

describe('verifyWebhook', () => {
  it('returns the typed event for a valid signature', () => {
    const event = verifyWebhook(klang.body, headersOf(klang), klang.secret, {
      now: at(klang.timestamp + 10),
    });
    expect(event.type).toBe('conversation.ready');
    expect(event.data.conversation.title).toBe('Weekly sync — ünïcode ✓');
  });

  it('accepts Headers, IncomingHttpHeaders-style arrays, any header case and byte bodies', () => {
    const now = { now: at(klang.timestamp) };
    const headers = new Headers(headersOf(klang));
    expect(verifyWebhook(Buffer.from(klang.body), headers, klang.secret, now).id).toBe(klang.id);
    const upper = {
      'Webhook-Id': klang.id,
      'WEBHOOK-TIMESTAMP': String(klang.timestamp),
      'webhook-signature': [klang.signature],
    };
    expect(verifyWebhook(new TextEncoder().encode(klang.body), upper, klang.secret, now).id).toBe(klang.id);
  });

  it('accepts any of several signatures and any of several secrets (rotation)', () => {
    const now = { now: at(klang.timestamp) };
    const both = `v1,${Buffer.alloc(32).toString('base64')} ${klang.signature}`;
    expect(verifyWebhook(klang.body, headersOf(klang, both), klang.secret, now).id).toBe(klang.id);
    expect(verifyWebhook(klang.body, headersOf(klang), [spec.secret, klang.secret], now).id).toBe(klang.id);
  });

  it.each([
    [
      'tampered body',
      () => verifyWebhook(`${klang.body} `, headersOf(klang), klang.secret, { now: at(klang.timestamp) }),
      'bad_signature',
    ],
    [
      'other secret',
      () => verifyWebhook(klang.body, headersOf(klang), spec.secret, { now: at(klang.timestamp) }),
      'bad_signature',
    ],
    [
      'other id',
      () =>
        verifyWebhook(klang.body, { ...headersOf(klang), 'webhook-id': 'evt_x' }, klang.secret, {
          now: at(klang.timestamp),
        }),
      'bad_signature',
    ],
    [
      'v2 scheme',
      () =>
        verifyWebhook(klang.body, headersOf(klang, klang.signature.replace('v1,', 'v2,')), klang.secret, {
          now: at(klang.timestamp),
        }),
      'bad_signature',
    ],
    [
      'missing signature',
      () => verifyWebhook(klang.body, { 'webhook-id': klang.id, 'webhook-timestamp': '1' }, klang.secret),
      'missing_header',
    ],
    [
      'too old',
      () => verifyWebhook(klang.body, headersOf(klang), klang.secret, { now: at(klang.timestamp + 301) }),
      'timestamp_too_old',
    ],
    [
      'in the future',
      () => verifyWebhook(klang.body, headersOf(klang), klang.secret, { now: at(klang.timestamp - 301) }),
      'timestamp_in_future',
    ],
    [
      'empty secret',
      () => verifyWebhook(klang.body, headersOf(klang), '', { now: at(klang.timestamp) }),
      'bad_secret',
    ],
    [
      'garbled secret',
      () => verifyWebhook(klang.body, headersOf(klang), 'whsec_%%%', { now: at(klang.timestamp) }),
      'bad_secret',
    ],
  ])('rejects %s', (_name, run, reason) => {
    expect(reasonOf(run)).toBe(reason);
  });

  it('honours a custom tolerance', () => {
    const options = { now: at(klang.timestamp + 100), toleranceSeconds: 60 };
    expect(reasonOf(() => verifyWebhook(klang.body, headersOf(klang), klang.secret, options))).toBe(
      'timestamp_too_old',
    );
  });

  it('interoperates with the standardwebhooks package both ways', () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const body =
      '{"id":"evt_1","type":"conversation.deleted","created_at":"2026-11-26T10:15:00.000Z","data":{"conversation":{"id":"c","title":null,"url":null}}}';
    const signature = signWebhook({ id: 'evt_1', timestamp, body, secret: klang.secret });
    const headers = {
      'webhook-id': 'evt_1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature,
    };
    expect(new Webhook(klang.secret).verify(body, headers)).toMatchObject({ type: 'conversation.deleted' });
    const theirs = new Webhook(klang.secret).sign('evt_1', new Date(timestamp * 1000), body);
    expect(verifyWebhook(body, { ...headers, 'webhook-signature': theirs }, klang.secret).type).toBe(
      'conversation.deleted',
    );
  });
});
