// What the hot path of the queue exchanges with the engine: a claimed delivery with everything its
// send needs, the results a worker records, and the store interface each dialect implements.
import type { DeliveryStatus, NewAttemptRow } from '../tables.ts';

/** A webhook and its owner as the engine needs them right before sending. */
export interface SendContext {
  status: 'active' | 'paused' | 'auto_paused' | 'listening';
  url: string;
  userId: string;
  plan: 'free' | 'pro' | 'team';
  /** The owner can see the event's conversation (always true without a conversation or for tests). */
  hasAccess: boolean;
  secretEnc: string;
  previousSecretEnc: string | null;
  previousSecretExpiresAt: number | null;
}

/** A webhook, and the conversation whose access its owner needs (null: none to check). */
export interface ContextKey {
  webhookId: string;
  conversationId: string | null;
}

export interface ClaimedDelivery {
  id: string;
  eventId: string;
  webhookId: string;
  /** The webhook's owner (fairness between tenants is per owner). */
  ownerId: string;
  /** Attempts completed before this one. */
  attempts: number;
  test: boolean;
  eventType: string;
  conversationId: string | null;
  payload: string;
  /** The webhook, its owner and the owner's access, read in the claim's transaction. */
  context: SendContext;
  /** When it was claimed (the context is as of then). */
  claimedAt: number;
  /** Its `next_attempt_at` when claimed: a later refill of its webhook may start there. */
  dueAt: number;
}

export interface ClaimRequest {
  workerId: string;
  now: number;
  leaseMs: number;
  limit: number;
  /** At most this many deliveries of one webhook per claim. */
  perWebhook: number;
  /** At most this many deliveries of one owner's webhooks together per claim. */
  perOwner?: number;
  /** Webhooks this worker has no room for right now. */
  excludeWebhookIds: readonly string[];
  /** Owners this worker holds enough for right now. */
  excludeOwnerIds?: readonly string[];
  /**
   * Only deliveries due after this time: a scan that follows one which took everything due of the
   * webhooks it did not exclude (the excluded ones are refilled per webhook).
   */
  dueAfter?: number;
}

export interface RefillRequest {
  workerId: string;
  now: number;
  leaseMs: number;
  /** Webhook id → how many of its due deliveries to claim at most. */
  webhooks: ReadonlyMap<string, number>;
  /**
   * Webhook id → the due time its refill starts at (inclusive): the worker holds or has held what
   * was due before. Without one, the refill reads the webhook's due deliveries from the start.
   */
  after?: ReadonlyMap<string, number>;
}

/** One finished HTTP attempt and the delivery state it leads to. */
export interface AttemptResult {
  kind: 'attempt';
  deliveryId: string;
  webhookId: string;
  attempt: NewAttemptRow;
  /** `pending` schedules a retry at `nextAttemptAt`. */
  deliveryStatus: Extract<DeliveryStatus, 'pending' | 'succeeded' | 'failed'>;
  statusReason: string | null;
  nextAttemptAt: number | null;
}

/** A delivery ended without an attempt (its webhook's owner lost access or plan). */
export interface CancelResult {
  kind: 'cancel';
  deliveryId: string;
  reason: string;
}

export type QueueResult = AttemptResult | CancelResult;

export interface RecordOptions {
  workerId: string;
  now: number;
  autoPauseAfter: number;
  autoPauseReason: string;
}

export interface RecordSummary {
  /** Results whose lease was still held (the others were fenced out and dropped). */
  recorded: number;
  autoPaused: string[];
  /** What the refill given with the results leased, in the same transaction (else empty). */
  claimed: ClaimedDelivery[];
}

/** The hot statements of one dialect: fixed SQL text, prepared once. */
export interface QueueStore {
  /** Leases due deliveries in due order (see ClaimRequest) and returns them with their context. */
  claim(request: ClaimRequest): Promise<ClaimedDelivery[]>;
  /** Leases the earliest due deliveries of the given webhooks, with their context. */
  refill(request: RefillRequest): Promise<ClaimedDelivery[]>;
  /**
   * The webhooks and their owners now, one query for all: an answer per key, in order (undefined
   * for a webhook that is gone).
   */
  sendContexts(keys: readonly ContextKey[]): Promise<(SendContext | undefined)[]>;
  /**
   * Writes a batch of results in one transaction; results whose lease was lost are dropped. A
   * `refill` is leased in the same transaction, after the results (one commit per worker cycle).
   */
  record(
    results: readonly QueueResult[],
    options: RecordOptions,
    refill?: RefillRequest,
  ): Promise<RecordSummary>;
}
