// The shapes of event intake shared by the single publish (events-repo.ts) and the batch
// (publish-many.ts): an event to store, its idempotency key, and what publishing it did.

export interface NewEvent {
  id: string;
  type: string;
  conversationId: string | null;
  payload: string;
  test: boolean;
  createdAt: number;
}

export interface Idempotency {
  key: string;
  requestHash: string;
}

export type PublishResult =
  | {
      kind: 'created';
      eventId: string;
      deliveries: number;
      missed: number;
      /** The webhooks that got a pending delivery (the workers' wake-up names them). */
      webhookIds: string[];
    }
  | { kind: 'replayed'; eventId: string; deliveries: number; missed: number }
  | { kind: 'conflict'; eventId: string };
