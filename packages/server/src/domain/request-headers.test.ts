// The headers a delivery request carries and how an attempt row rebuilds them for display.
import { describe, expect, it } from 'vitest';
import { deliveryHeaders, sentHeaders, timestampOf } from './request-headers.ts';

const UA = 'Klang-Webhooks/9.9.9';
const EVENT = 'evt_01KBXYZ0000000000000000000';

describe('request headers', () => {
  it('sends the standard headers in a fixed order, signed or not', () => {
    expect(
      Object.entries(deliveryHeaders(UA, EVENT, { timestamp: 1_764_000_000, signature: 'v1,abc' })),
    ).toEqual([
      ['content-type', 'application/json'],
      ['user-agent', UA],
      ['webhook-id', EVENT],
      ['webhook-timestamp', '1764000000'],
      ['webhook-signature', 'v1,abc'],
    ]);
    expect(Object.keys(deliveryHeaders(UA, EVENT))).toEqual(['content-type', 'user-agent', 'webhook-id']);
  });

  it('takes the timestamp as the seconds of the attempt start', () => {
    expect(timestampOf(1_764_000_000_999)).toBe(1_764_000_000);
    expect(timestampOf(1_764_000_001_000)).toBe(1_764_000_001);
  });

  it('rebuilds a current row from its event id, start and signature', () => {
    const headers = sentHeaders(UA, {
      eventId: EVENT,
      createdAt: 1_764_000_000_500,
      signature: 'v1,one v1,two',
      stored: {},
    });
    expect(headers).toEqual(
      deliveryHeaders(UA, EVENT, { timestamp: 1_764_000_000, signature: 'v1,one v1,two' }),
    );
  });

  it('shows an unsigned attempt (failed before sending) without timestamp or signature', () => {
    const headers = sentHeaders(UA, {
      eventId: EVENT,
      createdAt: 1_764_000_000_500,
      signature: null,
      stored: {},
    });
    expect(Object.keys(headers)).toEqual(['content-type', 'user-agent', 'webhook-id']);
  });

  it('shows a row that stored every header as it stored them, in the order sent', () => {
    const stored = {
      'content-type': 'application/json',
      'user-agent': 'Klang-Webhooks/0.0.1',
      'webhook-id': EVENT,
      'webhook-timestamp': '1700000000',
      'webhook-signature': 'v1,old',
    };
    const headers = sentHeaders(UA, {
      eventId: EVENT,
      createdAt: 1_764_000_000_500,
      signature: null,
      stored,
    });
    expect(Object.entries(headers)).toEqual(Object.entries(stored));
  });
});
