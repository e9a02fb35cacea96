// The headers of a delivery request, in the order they are sent, and how an attempt row stands for
// them: it keeps only the signature (and any header beyond the standard set); the rest follows from
// the row — the event id, the attempt's time in seconds — and the sender's user-agent.

/** What signs one request: the `webhook-timestamp` in seconds and the `webhook-signature` value. */
export interface SentSignature {
  timestamp: number;
  signature: string;
}

/** The standard headers of one delivery request, in the order sent; unsigned when it was never sent. */
export function deliveryHeaders(
  userAgent: string,
  eventId: string,
  signed?: SentSignature,
): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': userAgent,
    'webhook-id': eventId,
  };
  if (signed) {
    headers['webhook-timestamp'] = String(signed.timestamp);
    headers['webhook-signature'] = signed.signature;
  }
  return headers;
}

/** The attempt's time as the `webhook-timestamp` it was signed with (seconds of its start). */
export const timestampOf = (startedAt: number): number => Math.floor(startedAt / 1000);

/** What an attempt row keeps of its request: the signature, and the headers sent beyond the standard set. */
export interface StoredRequest {
  eventId: string;
  /** The attempt's start in milliseconds (`created_at`). */
  createdAt: number;
  /** Null when nothing was signed (the attempt failed before sending), or for rows that stored every header. */
  signature: string | null;
  /** Headers kept verbatim: none for current rows; every header sent for rows written before signatures had a column. */
  stored: Record<string, string>;
}

/** The headers an attempt was sent with, rebuilt from its row; headers kept verbatim win. */
export function sentHeaders(userAgent: string, request: StoredRequest): Record<string, string> {
  const signed =
    request.signature === null
      ? undefined
      : { timestamp: timestampOf(request.createdAt), signature: request.signature };
  return { ...deliveryHeaders(userAgent, request.eventId, signed), ...request.stored };
}
