// What a database handle offers the grouped intake (repos/event-batch.ts): one group of host events
// and their fan-out written atomically, in the way cheapest for its dialect.
import type { BatchEvent, BatchPublished, DeliveryRowOf } from '../repos/event-batch.ts';

export interface IntakeStore {
  /** Stores the events and their deliveries all together or not at all; one result per event, in order. */
  writeGroup(events: BatchEvent[], deliveryRow: DeliveryRowOf): Promise<BatchPublished[]>;
}
