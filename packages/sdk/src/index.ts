// @klang-webhooks/sdk: verify Klang webhook signatures (Standard Webhooks) and get typed events.
export {
  type ConversationDeletedEvent,
  type ConversationFailedEvent,
  type ConversationReadyEvent,
  type ConversationRef,
  EVENT_TYPES,
  isConversationDeletedEvent,
  isConversationFailedEvent,
  isConversationReadyEvent,
  isKlangEvent,
  type KlangEvent,
  type KlangEventType,
} from './events.ts';
export {
  type HeadersLike,
  signWebhook,
  type VerificationFailure,
  type VerifyOptions,
  verifyWebhook,
  WebhookVerificationError,
} from './verify.ts';
