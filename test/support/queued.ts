import type { QueuedEvent } from '../../src/events/types.js';
import type { Stack } from './stack.js';

/** The events one request put in the ingest queue (worker off), read back from Redis, in order. */
export async function queuedEventsOf(stack: Stack, requestId: string): Promise<QueuedEvent[]> {
  const jobs = await stack.queue.getJobs(['waiting', 'prioritized', 'delayed'], 0, -1, true);
  return jobs
    .flatMap((job) => job.data.events)
    .filter((event) => event.request_id === requestId)
    .sort((a, b) => a.seq - b.seq);
}

/** How many jobs one request's events were spread over (the contract: one). */
export async function jobsHolding(stack: Stack, requestId: string): Promise<number> {
  const jobs = await stack.queue.getJobs(['waiting', 'prioritized', 'delayed'], 0, -1, true);
  return jobs.filter((job) => job.data.events.some((event) => event.request_id === requestId)).length;
}
