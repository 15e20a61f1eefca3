import type { OutboxEntry } from '../notify/outbox.js';
import type { QueuedEvent } from '../events/types.js';
import type { TimerJobData } from '../queue/timer-queue.js';
import type { Kysely } from 'kysely';
import type { Dialect } from '../store/dialect.js';
import type { Repos } from '../store/repos.js';
import type { Database } from '../store/tables.js';
import type { EventsTable } from '../store/tables.js';
import type { EventFailure } from './lanes.js';
import type { ProcessedEvent } from './pipeline.js';
import type { StageContext } from './stage.js';
import type { EventOutcome } from './trace.js';

/** What a batch did, for metrics and logs. */
export interface BatchResult {
  applied: Array<{ event: QueuedEvent; processed: ProcessedEvent }>;
  /** Events already in the store: a redelivered job changes nothing. */
  redelivered: QueuedEvent[];
  /** Auto-resolve timers of the incidents the batch opened: scheduled once the batch has committed. */
  timers: TimerJobData[];
  /** Outbound deliveries the batch wrote: enqueued once the batch has committed. */
  deliveries: OutboxEntry[];
  /** Events that failed alone for a reason of their own (the data, not the store); the rest were stored. */
  failed: EventFailure[];
}

/** What every event of a batch shares: its transaction and repositories, the held ids, the ids to make. */
export interface BatchScope {
  trx: Kysely<Database>;
  dialect: Dialect;
  repos: Repos;
  stored: Set<string>;
  newId: () => string;
}

/** The stage context of one event of a batch: the timers and deliveries it makes join the batch's result. */
export function eventContext(scope: BatchScope, result: BatchResult, now: number): StageContext {
  return { ...scope, now, timers: result.timers, deliveries: result.deliveries };
}

/**
 * Marks what the batch has collected before an event (timers, deliveries, deferred writes, the held ids); the
 * returned function drops what the event added, once its savepoint was rolled back.
 */
export function undoPoint(scope: BatchScope, result: BatchResult, event: QueuedEvent): () => void {
  const timers = result.timers.length;
  const deliveries = result.deliveries.length;
  const deferred = scope.repos.deferredMark();
  const alreadyHeld = scope.stored.has(event.event_id);
  return () => {
    scope.repos.undoDeferredTo(deferred);
    result.timers.length = timers;
    result.deliveries.length = deliveries;
    // The idempotency stage noted the event as held by this transaction; the rollback undid that.
    if (!alreadyHeld) scope.stored.delete(event.event_id);
  };
}

export const emptyResult = (): BatchResult => ({
  applied: [],
  redelivered: [],
  timers: [],
  deliveries: [],
  failed: [],
});

export function addResult(into: BatchResult, from: BatchResult): void {
  into.applied.push(...from.applied);
  into.redelivered.push(...from.redelivered);
  into.timers.push(...from.timers);
  into.deliveries.push(...from.deliveries);
  into.failed.push(...from.failed);
}

/** NUL and other characters a store refuses may appear in an error's message: keep the reason printable. */
export const reasonOf = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).replace(/\0/g, '');

export function eventRow(event: QueuedEvent, processed: ProcessedEvent, now: number): EventsTable {
  return {
    event_id: event.event_id,
    request_id: event.request_id,
    integration_id: event.integration_id,
    integration_type: event.integration_type,
    channel_id: processed.channelId,
    alert_key: event.alert_key,
    alert_id: processed.alertId,
    incident_id: processed.incidentId,
    event_status: event.event_status,
    title: event.title,
    title_rule: event.title_rule,
    description: event.description ?? null,
    labels: JSON.stringify(event.labels),
    images: event.images ? JSON.stringify(event.images) : null,
    event_time: event.event_time,
    received_at: event.received_at,
    seq: event.seq,
    processed_at: now,
    outcome: processed.outcome,
    trace: JSON.stringify(processed.trace),
  };
}

export async function recordIntegrationStats(repos: Repos, applied: BatchResult['applied']): Promise<void> {
  const latest = new Map<string, QueuedEvent>();
  const counts = new Map<string, number>();
  for (const { event, processed } of applied) {
    const seen = latest.get(event.integration_id);
    if (!seen || seen.event_id < event.event_id) latest.set(event.integration_id, event);
    const key = `${event.integration_id}\0${processed.outcome}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [integrationId, event] of latest)
    await repos.integrationStats.recordLatestEvent(integrationId, event.event_id, event.received_at);
  for (const [key, count] of counts) {
    const [integrationId, outcome] = key.split('\0') as [string, EventOutcome];
    await repos.integrationStats.addOutcomeCount(integrationId, outcome, count);
  }
}
