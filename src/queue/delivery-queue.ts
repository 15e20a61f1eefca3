import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { queuePrefix } from './redis.js';

/**
 * What a job sends; everything else is read from the store when it runs. A relay job carries the deliveries of one
 * relay pass to its receiver (their first attempt: one job, not one per delivery, which would cost Redis more than
 * the whole pipeline costs per event); a delivery's own job carries it alone (its retries, the sweep, a redelivery).
 */
export type DeliveryJobData = { delivery_id: string } | { delivery_ids: string[] };

/** Each receiver has a queue of its own, so a slow or failing receiver holds up nobody else. */
export function deliveryQueueName(receiverId: string): string {
  return `deliveries-${receiverId}`;
}

/**
 * The delivery log in the store keeps every attempt, so jobs leave nothing behind. The worker decides when a delivery
 * is dead (its receiver's max_attempts); the queue's own attempts are only a bound above that.
 */
export function deliveryJobOptions(maxAttempts: number): JobsOptions {
  return {
    attempts: maxAttempts + 10,
    backoff: { type: 'delivery' },
    removeOnComplete: true,
    removeOnFail: true,
  };
}

/** The delivery queues of some receivers, created on first use, sharing one connection. */
export class DeliveryQueues {
  private readonly queues = new Map<string, Queue<DeliveryJobData>>();

  constructor(
    private readonly connection: Redis,
    private readonly prefix: string,
  ) {}

  queue(receiverId: string): Queue<DeliveryJobData> {
    let queue = this.queues.get(receiverId);
    if (!queue) {
      queue = new Queue<DeliveryJobData>(deliveryQueueName(receiverId), {
        connection: this.connection,
        prefix: queuePrefix(this.prefix),
      });
      this.queues.set(receiverId, queue);
    }
    return queue;
  }

  /**
   * Adds one job per delivery, its id the delivery's: adding a delivery that has a job already (the sweep, a
   * redelivered batch) adds nothing. `delayMs`: not before then (a retry).
   */
  async enqueue(
    deliveries: ReadonlyArray<{ delivery_id: string; receiver_id: string }>,
    maxAttempts: (receiverId: string) => number | undefined,
    delayMs = 0,
  ): Promise<string[]> {
    const byReceiver = new Map<string, string[]>();
    for (const { delivery_id, receiver_id } of deliveries) {
      if (maxAttempts(receiver_id) === undefined) continue;
      byReceiver.set(receiver_id, [...(byReceiver.get(receiver_id) ?? []), delivery_id]);
    }
    const added: string[] = [];
    for (const [receiverId, ids] of byReceiver) {
      const options = { ...deliveryJobOptions(maxAttempts(receiverId) as number), delay: delayMs };
      await this.queue(receiverId).addBulk(
        ids.map((id) => ({ name: 'delivery', data: { delivery_id: id }, opts: { ...options, jobId: id } })),
      );
      added.push(...ids);
    }
    return added;
  }

  /** Adds the relay job `jobId`: the first attempt of `deliveryIds`, all to one receiver. */
  async enqueueRelayed(receiverId: string, jobId: string, deliveryIds: string[], maxAttempts: number): Promise<void> {
    await this.queue(receiverId).add(
      'relayed',
      { delivery_ids: deliveryIds },
      { ...deliveryJobOptions(maxAttempts), jobId },
    );
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    this.queues.clear();
  }
}
