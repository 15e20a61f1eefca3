import type { Integration } from '../config/types.js';
import { newId } from '../events/ids.js';
import type { NormalisedEvent, QueuedEvent } from '../events/types.js';

let sequence = 0;

/** Stamps normalised events with the gateway's ids and order (contract §3). */
export function stampEvents(
  events: NormalisedEvent[],
  integration: Integration,
  requestId: string,
  receivedAt: number,
): QueuedEvent[] {
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
