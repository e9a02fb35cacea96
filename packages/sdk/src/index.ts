// @klang-webhooks/sdk: verify Klang webhook signatures (Standard Webhooks) and get typed events.
export type * from './events.ts';
export {
  type HeadersLike,
  signWebhook,
  type VerificationFailure,
  type VerifyOptions,
  verifyWebhook,
  WebhookVerificationError,
} from './verify.ts';
