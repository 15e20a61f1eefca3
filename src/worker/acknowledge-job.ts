import type { Job } from 'bullmq';
import { applyDropInAcknowledge } from '../incidents/drop-in-ack.js';
import type { DropInAcknowledge, IngestJobData } from '../queue/ingest-queue.js';
import type { Logger } from '../observability/logger.js';
import type { StoreDatabase } from '../store/database.js';
import type { OutboxEntry } from '../notify/outbox.js';
import type { Outbox } from '../notify/outbox.js';

/**
 * Attempts during which an acknowledge of an alert the store does not know yet is retried (0.5 s, 1 s, 2 s, 4 s of
 * backoff): the sender's trigger may still be in another job. After that the alert is unknown and the job completes,
 * as PagerDuty and Opsgenie drop an acknowledge of nothing.
 */
export const unknownAlertAttempts = 5;

/** The name of the error that retries an acknowledge whose alert may still be on its way. */
export const alertNotYetKnown = 'AlertNotYetKnown';

class AlertNotYetKnown extends Error {
  constructor(request: DropInAcknowledge) {
    super(`no alert ${JSON.stringify(request.alert_key)} of integration ${request.integration_id} yet`);
    this.name = alertNotYetKnown;
  }
}

/** Applies a drop-in acknowledge job: the alert's open incidents are acknowledged, once, whatever the redeliveries. */
export async function processAcknowledgeJob(
  deps: { store: StoreDatabase; logger: Logger },
  job: Job<IngestJobData>,
  request: DropInAcknowledge,
  now: number,
  outbound: { outbox: () => Outbox | undefined; enqueue: (deliveries: OutboxEntry[]) => Promise<void> },
): Promise<void> {
  const notify = { outbox: outbound.outbox(), deliveries: [] as OutboxEntry[] };
  const result = await applyDropInAcknowledge(deps.store, request, now, notify);
  // Committed with the acknowledge: a Redis hiccup here leaves them to the notifier's sweep.
  await outbound.enqueue(notify.deliveries).catch(() => undefined);
  const context = { job_id: job.id, integration: request.integration_id, alert_key: request.alert_key };
  if (result.unknownAlert) {
    if (job.attemptsMade + 1 < unknownAlertAttempts) throw new AlertNotYetKnown(request);
    deps.logger.info(context, 'drop-in acknowledge of an unknown alert: nothing to acknowledge');
    return;
  }
  deps.logger.info({ ...context, incidents: result.acknowledged }, 'drop-in acknowledge applied');
}
