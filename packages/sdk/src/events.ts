// Typed payloads of the Klang webhook events (thin: they reference the conversation).

export interface ConversationRef {
  id: string;
  title: string | null;
  url: string | null;
}

interface BaseEvent<T extends string, D> {
  /** Event id; equals the `webhook-id` header and stays the same on retries — use it to deduplicate. */
  id: string;
  type: T;
  /** ISO-8601 UTC time the event happened; order by it (delivery order is not guaranteed). */
  created_at: string;
  data: D;
}

export type ConversationReadyEvent = BaseEvent<'conversation.ready', { conversation: ConversationRef }>;
export type ConversationFailedEvent = BaseEvent<
  'conversation.failed',
  { conversation: ConversationRef; error: { code: string; message: string } }
>;
export type ConversationDeletedEvent = BaseEvent<'conversation.deleted', { conversation: ConversationRef }>;

export type KlangEvent = ConversationReadyEvent | ConversationFailedEvent | ConversationDeletedEvent;
export type KlangEventType = KlangEvent['type'];
