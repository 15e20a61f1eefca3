import type { Response } from 'express';
import type { Integration } from '../config/types.js';
import { newId } from '../events/ids.js';
import type { NormalisedEvent, QueuedEvent } from '../events/types.js';
import type { IngestProducer } from '../queue/ingest-queue.js';
import type { Metrics } from '../observability/metrics.js';

let sequence = 0;

/** Stamps normalised events with the gateway's ids and order (contract §3). */
export function stampEvents(events: NormalisedEvent[], integration: Integration, requestId: string, receivedAt: number): QueuedEvent[] {
  return events.map((event) => {
    sequence += 1;
    return {
      ...event,
      event_id: newId(),
      request_id: requestId,
      integration_id: integration.id,
      integration_type: integration.adapter,
      received_at: receivedAt,
      seq: sequence,
    };
  });
}

/**
 * Queues the events of one request and answers 200 only once they are in the queue:
 * `data.alert_key` for a single event, `data.alert_keys` when the payload held a list.
 */
export async function queueAndRespond(res: Response, producer: IngestProducer, metrics: Metrics, integration: Integration, events: QueuedEvent[], asList: boolean): Promise<void> {
  await producer.enqueue(events);
  metrics.gatewayEvents.inc({ integration: integration.id, adapter: integration.adapter, outcome: 'queued' }, events.length);
  const keys = events.map((event) => event.alert_key);
  const data = asList ? { alert_keys: keys } : { alert_key: keys[0] };
  res.status(200).json({ request_id: res.locals.requestId as string, data });
}
