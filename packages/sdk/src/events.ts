// Typed payloads of the Klang webhook events (thin: they reference the conversation) and a
// run-time type guard per event type.

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

export const EVENT_TYPES = ['conversation.ready', 'conversation.failed', 'conversation.deleted'] as const;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const nullableString = (value: unknown): boolean => value === null || typeof value === 'string';

function isConversationRef(value: unknown): value is ConversationRef {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    nullableString(value.title) &&
    nullableString(value.url)
  );
}

function isEventError(value: unknown): boolean {
  return isRecord(value) && typeof value.code === 'string' && typeof value.message === 'string';
}

/** True when `value` has the payload shape of the given event type (checked at run time). */
function hasShape(value: unknown, type: KlangEventType): boolean {
  if (!isRecord(value) || value.type !== type) return false;
  if (typeof value.id !== 'string' || typeof value.created_at !== 'string') return false;
  if (!isRecord(value.data) || !isConversationRef(value.data.conversation)) return false;
  return type !== 'conversation.failed' || isEventError(value.data.error);
}

/** Any Klang event, checked at run time. */
export const isKlangEvent = (value: unknown): value is KlangEvent =>
  EVENT_TYPES.some((type) => hasShape(value, type));

export const isConversationReadyEvent = (value: unknown): value is ConversationReadyEvent =>
  hasShape(value, 'conversation.ready');

export const isConversationFailedEvent = (value: unknown): value is ConversationFailedEvent =>
  hasShape(value, 'conversation.failed');

export const isConversationDeletedEvent = (value: unknown): value is ConversationDeletedEvent =>
  hasShape(value, 'conversation.deleted');
