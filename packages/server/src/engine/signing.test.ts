import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { generateSigningSecret } from '../domain/secrets.ts';
import { activeSecrets, sign, signatureHeaders } from './signing.ts';

const NOW = Date.now();

describe('signing', () => {
  it('matches the Standard Webhooks reference vector', () => {
    // From the Standard Webhooks specification's test vectors.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    expect(sign(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('produces headers that standardwebhooks and svix verify, for many random bodies', () => {
    for (let i = 0; i < 200; i++) {
      const secret = generateSigningSecret();
      const body = JSON.stringify({ id: `evt_${i}`, text: 'ünïcødé 🎉 \u2028 "quoted" \\/', n: 2 ** 60 + i });
      const headers = signatureHeaders({ current: secret }, `evt_${i}`, body, NOW);
      expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
      expect(headers['webhook-timestamp']).toBe(String(Math.floor(NOW / 1000)));
      expect(new StandardWebhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
      const svixHeaders = {
        'svix-id': headers['webhook-id'],
        'svix-timestamp': headers['webhook-timestamp'],
        'svix-signature': headers['webhook-signature'],
      };
      expect(new SvixWebhook(secret).verify(body, svixHeaders)).toEqual(JSON.parse(body));
    }
  });

  it('fails verification when any byte of body, id or timestamp changes', () => {
    const secret = generateSigningSecret();
    const body = '{"a":1}';
    const headers = signatureHeaders({ current: secret }, 'evt_1', body, NOW);
    const verifier = new StandardWebhook(secret);
    expect(() => verifier.verify('{"a":2}', headers)).toThrow();
    expect(() => verifier.verify(body, { ...headers, 'webhook-id': 'evt_2' })).toThrow();
    const ts = String(Number(headers['webhook-timestamp']) + 1);
    expect(() => verifier.verify(body, { ...headers, 'webhook-timestamp': ts })).toThrow();
    expect(() => new StandardWebhook(generateSigningSecret()).verify(body, headers)).toThrow();
  });

  it('signs with both secrets during the rotation overlap, and only the new one after it', () => {
    const current = generateSigningSecret();
    const previous = generateSigningSecret();
    const body = '{"x":true}';
    const during = signatureHeaders({ current, previous, previousExpiresAt: NOW + 1000 }, 'evt_r', body, NOW);
    const signatures = during['webhook-signature'].split(' ');
    expect(signatures).toHaveLength(2);
    expect(signatures[0]).toBe(sign(current, 'evt_r', Math.floor(NOW / 1000), body));
    expect(new StandardWebhook(current).verify(body, during)).toBeTruthy();
    expect(new StandardWebhook(previous).verify(body, during)).toBeTruthy();
    expect(new SvixWebhook(previous).verify(body, { ...svix(during) })).toBeTruthy();

    const after = signatureHeaders({ current, previous, previousExpiresAt: NOW }, 'evt_r', body, NOW);
    expect(after['webhook-signature'].split(' ')).toHaveLength(1);
    expect(() => new StandardWebhook(previous).verify(body, after)).toThrow();
  });

  it.each([
    [{ current: 'a' }, 1],
    [{ current: 'a', previous: 'b', previousExpiresAt: null }, 1],
    [{ current: 'a', previous: null, previousExpiresAt: NOW + 5 }, 1],
    [{ current: 'a', previous: 'b', previousExpiresAt: NOW + 5 }, 2],
    [{ current: 'a', previous: 'b', previousExpiresAt: NOW - 5 }, 1],
  ])('active secrets of %j: %i', (secrets, count) => {
    expect(activeSecrets(secrets, NOW)).toHaveLength(count);
  });
});

function svix(headers: Record<string, string>) {
  return {
    'svix-id': headers['webhook-id']!,
    'svix-timestamp': headers['webhook-timestamp']!,
    'svix-signature': headers['webhook-signature']!,
  };
}
