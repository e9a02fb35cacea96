import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  isConversationDeletedEvent,
  isConversationFailedEvent,
  isConversationReadyEvent,
  isKlangEvent,
  signWebhook,
  verifyWebhook,
  WebhookVerificationError,
} from '../src/index.ts';
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

describe('signWebhook input checks', () => {
  it.each([Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY])('refuses the timestamp %s', (timestamp) => {
    const run = () => signWebhook({ id: klang.id, timestamp, body: klang.body, secret: klang.secret });
    expect(run).toThrow(RangeError);
  });

  it('accepts zero and whole seconds', () => {
    expect(signWebhook({ id: 'a', timestamp: 0, body: '{}', secret: klang.secret })).toMatch(/^v1,/);
  });
});

describe('verifyWebhook misuse', () => {
  const now = { now: at(klang.timestamp) };
  it.each([
    [
      'an undefined secret',
      () => verifyWebhook(klang.body, headersOf(klang), undefined as never, now),
      'bad_secret',
    ],
    ['a null secret', () => verifyWebhook(klang.body, headersOf(klang), null as never, now), 'bad_secret'],
    ['no secrets', () => verifyWebhook(klang.body, headersOf(klang), [], now), 'bad_secret'],
    [
      'an undefined one among several',
      () => verifyWebhook(klang.body, headersOf(klang), [klang.secret, undefined as never], now),
      'bad_secret',
    ],
    [
      'a parsed body',
      () => verifyWebhook(JSON.parse(klang.body), headersOf(klang), klang.secret, now),
      'invalid_body',
    ],
    [
      'an undefined body',
      () => verifyWebhook(undefined as never, headersOf(klang), klang.secret, now),
      'invalid_body',
    ],
    [
      'undefined headers',
      () => verifyWebhook(klang.body, undefined as never, klang.secret, now),
      'missing_header',
    ],
  ])('%s fails with a reason, not a TypeError', (_name, run, reason) => {
    expect(reasonOf(run)).toBe(reason);
  });

  it('rejects a signature whose base64 is not canonical (same bytes, other padding bits)', () => {
    const value = klang.signature.slice(3);
    const last = value.at(-2)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
    const noncanonical = `v1,${value.slice(0, -2)}${sibling}=`;
    expect(Buffer.from(noncanonical.slice(3), 'base64')).toEqual(Buffer.from(value, 'base64'));
    const run = () => verifyWebhook(klang.body, headersOf(klang, noncanonical), klang.secret, now);
    expect(reasonOf(run)).toBe('bad_signature');
    const unpadded = `v1,${value.replace(/=+$/, '')}`;
    expect(reasonOf(() => verifyWebhook(klang.body, headersOf(klang, unpadded), klang.secret, now))).toBe(
      'bad_signature',
    );
  });
});

describe('type guards', () => {
  const conversation = { id: 'conv_1', title: null, url: null };
  const base = { id: 'evt_1', created_at: '2026-11-26T10:15:00.000Z' };
  const ready = { ...base, type: 'conversation.ready', data: { conversation } };
  const failed = {
    ...base,
    type: 'conversation.failed',
    data: { conversation, error: { code: 'x', message: 'y' } },
  };
  const deleted = { ...base, type: 'conversation.deleted', data: { conversation } };

  it('each guard accepts its own type only', () => {
    expect([ready, failed, deleted].map(isConversationReadyEvent)).toEqual([true, false, false]);
    expect([ready, failed, deleted].map(isConversationFailedEvent)).toEqual([false, true, false]);
    expect([ready, failed, deleted].map(isConversationDeletedEvent)).toEqual([false, false, true]);
    expect([ready, failed, deleted].map(isKlangEvent)).toEqual([true, true, true]);
  });

  it.each([
    ['a failed event without error', { ...failed, data: { conversation } }],
    ['a conversation without id', { ...ready, data: { conversation: { title: null, url: null } } }],
    ['no created_at', { ...ready, created_at: undefined }],
    ['an unknown type', { ...ready, type: 'conversation.updated' }],
    ['null', null],
    ['a string', 'conversation.ready'],
  ])('reject %s', (_name, value) => {
    expect(isKlangEvent(value)).toBe(false);
  });

  it('narrows the verified event', () => {
    const event = verifyWebhook(klang.body, headersOf(klang), klang.secret, { now: at(klang.timestamp) });
    expect(isConversationReadyEvent(event) && event.data.conversation.id).toBe('conv_123');
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
