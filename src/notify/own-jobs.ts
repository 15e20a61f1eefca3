import type { DeliveryQueues } from '../queue/delivery-queue.js';
import type { StoreDatabase } from '../store/database.js';
import { DeliveriesRepo, type DeliveryRef } from '../store/deliveries-repo.js';

/**
 * Puts deliveries on their receivers' queues, each on a job of its own (the sweep, a redelivery, a relay job handing
 * over a retry or a wait), after `delayMs`, then records that they are queued. A crash in between leaves rows the
 * sweep enqueues again; the job id is the delivery id, so a delivery never gets two jobs of its own. Deliveries to a
 * receiver no longer configured (`maxAttempts` undefined) are left to the sweep.
 */
export async function enqueueOwnJobs(
  store: StoreDatabase,
  queues: DeliveryQueues,
  maxAttempts: (receiverId: string) => number | undefined,
  deliveries: readonly DeliveryRef[],
  delayMs = 0,
): Promise<void> {
  if (deliveries.length === 0) return;
  const added = await queues.enqueue(deliveries, maxAttempts, delayMs);
  await new DeliveriesRepo(store.db, store.dialect).markQueued(added);
}
