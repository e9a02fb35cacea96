// Reads the body of POST /events/batch: the envelope as a whole (refused → 422, nothing stored), then
// each entry on its own, so one malformed entry is refused alone. Fields are named `events[i].…`.
import { AppError, type ErrorDetail } from '../../../domain/errors.ts';
import type { PublishInput } from '../../../services/ingest.ts';
import { BatchEventIn, EventBatchEnvelope } from '../../schemas/host.ts';
import { issueDetails } from '../../schemas/issue-details.ts';

export type BatchEntry = { input: PublishInput } | { refusal: AppError };

const summary = (details: ErrorDetail[]) => details.map((d) => `${d.field}: ${d.message}`).join('; ');

/** Throws validation_failed for a malformed envelope; else one entry per event, in order. */
export function readEventBatch(body: unknown): BatchEntry[] {
  const envelope = EventBatchEnvelope.safeParse(body);
  if (!envelope.success) {
    const details = issueDetails(envelope.error.issues);
    throw new AppError('validation_failed', `Invalid request. ${summary(details)}`, details);
  }
  return envelope.data.events.map((raw, index): BatchEntry => {
    const entry = BatchEventIn.safeParse(raw);
    if (!entry.success) {
      const details = issueDetails(entry.error.issues, `events[${index}]`);
      return { refusal: new AppError('validation_failed', `Invalid event. ${summary(details)}`, details) };
    }
    const { type, conversation_id, error, idempotency_key } = entry.data;
    return { input: { type, conversationId: conversation_id, error, idempotencyKey: idempotency_key } };
  });
}

/** A refusal of entry `index` in the error shape, its fields named within the batch. */
export function entryError(index: number, refusal: AppError) {
  const prefix = `events[${index}]`;
  const details = refusal.details?.map((d) => ({
    field: d.field.startsWith(prefix) ? d.field : `${prefix}.${d.field}`,
    message: d.message,
  }));
  return {
    error: { code: refusal.code, message: refusal.message, ...(details?.length ? { details } : {}) },
  };
}
