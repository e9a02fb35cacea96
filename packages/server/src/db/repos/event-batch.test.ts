import { describe, expect, it } from 'vitest';
import type { DeliveriesTable } from '../tables.ts';
import { type BatchEvent, type DeliveryRowOf, fanOut } from './event-batch.ts';
import type { Candidate } from './intake-statements.ts';

let serial = 0;
const deliveryRow: DeliveryRowOf = (eventId, webhookId, status, test, now) =>
  ({
    id: `dlv_${++serial}`,
    event_id: eventId,
    webhook_id: webhookId,
    status,
    status_reason: status === 'missed' ? 'webhook_paused' : null,
    test: test ? 1 : 0,
    next_attempt_at: now,
    created_at: now,
  }) as DeliveriesTable;

const event = (id: string, conversationId: string, type = 'conversation.ready'): BatchEvent => ({
  id,
  type,
  conversationId,
  payload: '{}',
  createdAt: 1_000,
});

const candidate = (
  conversationId: string,
  id: string,
  status: Candidate['status'] = 'active',
  events = ['conversation.ready'],
): Candidate => ({ conversation_id: conversationId, id, status, events: JSON.stringify(events) });

describe('fanOut', () => {
  it('gives each event a delivery per candidate of its own conversation subscribed to its type', () => {
    const { deliveries, results } = fanOut(
      [event('evt_a', 'cnv_1'), event('evt_b', 'cnv_2', 'conversation.failed'), event('evt_c', 'cnv_3')],
      [
        candidate('cnv_1', 'wh_1'),
        candidate('cnv_1', 'wh_2', 'active', ['conversation.failed']),
        candidate('cnv_2', 'wh_1', 'active', ['conversation.ready', 'conversation.failed']),
      ],
      deliveryRow,
    );
    expect(deliveries.map((d) => [d.event_id, d.webhook_id, d.status])).toEqual([
      ['evt_a', 'wh_1', 'pending'],
      ['evt_b', 'wh_1', 'pending'],
    ]);
    expect(results).toEqual([
      { kind: 'created', eventId: 'evt_a', deliveries: 1, missed: 0, webhookIds: ['wh_1'] },
      { kind: 'created', eventId: 'evt_b', deliveries: 1, missed: 0, webhookIds: ['wh_1'] },
      { kind: 'created', eventId: 'evt_c', deliveries: 0, missed: 0, webhookIds: [] },
    ]);
  });

  it('records paused webhooks as missed and sends to active and listening ones', () => {
    const { deliveries, results } = fanOut(
      [event('evt_a', 'cnv_1')],
      [
        candidate('cnv_1', 'wh_active'),
        candidate('cnv_1', 'wh_paused', 'paused'),
        candidate('cnv_1', 'wh_auto', 'auto_paused'),
        candidate('cnv_1', 'wh_listen', 'listening'),
      ],
      deliveryRow,
    );
    expect(Object.fromEntries(deliveries.map((d) => [d.webhook_id, d.status]))).toEqual({
      wh_active: 'pending',
      wh_paused: 'missed',
      wh_auto: 'missed',
      wh_listen: 'pending',
    });
    expect(results[0]).toMatchObject({ deliveries: 2, missed: 2, webhookIds: ['wh_active', 'wh_listen'] });
  });
});
