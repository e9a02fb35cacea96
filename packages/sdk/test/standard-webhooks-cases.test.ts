// The official Standard Webhooks library test cases (standard-webhooks/standard-webhooks,
// libraries/javascript/src/webhook.test.ts and libraries/python/tests/test_webhooks.py), as data.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, WebhookVerificationError } from '../src/index.ts';

const MSG_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const PAYLOAD = '{"test": 2432232314}';
const SECRET = 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const TOLERANCE = 5 * 60;
const OTHER = 'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=';

type Headers = Record<string, string>;

/** The cases' TestPayload: the signature computed independently of the code under test. */
function payloadAt(seconds: number): Headers {
  const digest = createHmac('sha256', Buffer.from(SECRET, 'base64'))
    .update(`${MSG_ID}.${seconds}.${PAYLOAD}`)
    .digest('base64');
  return { 'webhook-id': MSG_ID, 'webhook-signature': `v1,${digest}`, 'webhook-timestamp': String(seconds) };
}

const now = () => Math.floor(Date.now() / 1000);
const without = (headers: Headers, name: string) =>
  Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));
const withHeader = (headers: Headers, name: string, value: string) => ({ ...headers, [name]: value });
const partial = (headers: Headers) => headers['webhook-signature']!.slice(0, 8);

const rejected: Array<[string, (h: Headers) => Headers, string?]> = [
  ['missing id raises error', (h) => without(h, 'webhook-id')],
  ['missing timestamp raises error', (h) => without(h, 'webhook-timestamp')],
  ['invalid timestamp throws error', (h) => withHeader(h, 'webhook-timestamp', 'hello')],
  ['missing signature raises error', (h) => without(h, 'webhook-signature')],
  ['invalid signature throws error', (h) => withHeader(h, 'webhook-signature', 'v1,dawfeoifkpqwoekfpqoekf')],
  [
    'invalid signature (python case) throws error',
    (h) => withHeader(h, 'webhook-signature', 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA='),
  ],
  ['partial signature throws error', (h) => withHeader(h, 'webhook-signature', partial(h))],
  ['empty v1 signature throws error', (h) => withHeader(h, 'webhook-signature', 'v1,')],
];

describe('Standard Webhooks official cases', () => {
  it.each(['', undefined, null])('empty key %s raises error', (secret) => {
    const run = () => verifyWebhook(PAYLOAD, payloadAt(now()), secret as unknown as string);
    expect(run).toThrow(WebhookVerificationError);
  });

  it.each(rejected)('%s', (_name, change) => {
    expect(() => verifyWebhook(PAYLOAD, change(payloadAt(now())), SECRET)).toThrow(WebhookVerificationError);
  });

  it('valid signature is valid and returns valid json', () => {
    expect(verifyWebhook(PAYLOAD, payloadAt(now()), SECRET)).toEqual({ test: 2432232314 });
  });

  it.each([
    ['old timestamp fails', -TOLERANCE - 1, 'timestamp_too_old'],
    ['new timestamp fails', TOLERANCE + 1, 'timestamp_in_future'],
  ])('%s', (_name, offset, reason) => {
    const run = () => verifyWebhook(PAYLOAD, payloadAt(now() + offset), SECRET);
    expect(run).toThrow(expect.objectContaining({ reason }));
  });

  it('multi sig payload is valid', () => {
    const headers = payloadAt(now());
    const signatures = [OTHER, OTHER.replace('v1,', 'v2,'), headers['webhook-signature'], OTHER].join(' ');
    const event = verifyWebhook(PAYLOAD, withHeader(headers, 'webhook-signature', signatures), SECRET);
    expect(event).toEqual({ test: 2432232314 });
  });

  it('verification works with and without signature prefix', () => {
    const headers = payloadAt(now());
    expect(verifyWebhook(PAYLOAD, headers, SECRET)).toEqual({ test: 2432232314 });
    expect(verifyWebhook(PAYLOAD, headers, `whsec_${SECRET}`)).toEqual({ test: 2432232314 });
  });

  it('sign function works', () => {
    const signature = signWebhook({
      id: MSG_ID,
      timestamp: 1614265330,
      body: PAYLOAD,
      secret: `whsec_${SECRET}`,
    });
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});
