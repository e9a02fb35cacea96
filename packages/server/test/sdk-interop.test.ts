import { verifyWebhook } from '@klang-webhooks/sdk';
import { describe, expect, it } from 'vitest';
import vectors from '../../sdk/test/vectors.json' with { type: 'json' };
import { generateSigningSecret } from '../src/domain/secrets.ts';
import { sign, signatureHeaders } from '../src/engine/signing.ts';

describe('server signing and the receiver SDK', () => {
  it.each(vectors)('share the test vector $id', (v) => {
    expect(sign(v.secret, v.id, v.timestamp, v.body)).toBe(v.signature);
  });

  it('the SDK verifies what the server sends, during and after a rotation', () => {
    const [current, previous] = [generateSigningSecret(), generateSigningSecret()];
    const body = JSON.stringify({
      id: 'evt_1',
      type: 'conversation.ready',
      created_at: new Date().toISOString(),
      data: { conversation: { id: 'c', title: null, url: null } },
    });
    const now = Date.now();
    const during = signatureHeaders(
      { current, previous, previousExpiresAt: now + 60_000 },
      'evt_1',
      body,
      now,
    );
    expect(verifyWebhook(body, during, previous).id).toBe('evt_1');
    expect(verifyWebhook(body, during, current).id).toBe('evt_1');
    const after = signatureHeaders({ current, previous, previousExpiresAt: now - 1 }, 'evt_1', body, now);
    expect(() => verifyWebhook(body, after, previous)).toThrow(/No signature matches/);
  });
});
