import { sql, type Kysely } from 'kysely';
import type { QueuedEvent } from '../events/types.js';
import { subjectOf } from '../rules/filter.js';
import { groupingKey } from '../rules/grouping.js';
import { routeEvent } from '../rules/routing.js';
import type { AlertIdentity } from '../store/alerts-repo.js';
import { isStoreUnavailable } from '../store/availability.js';
import { BatchStage, NotStaged, RowLocked, type OpenKey } from '../store/batch-stage.js';
import type { StoreDatabase } from '../store/database.js';
import { bindStagedRepos } from '../store/staged-repos.js';
import type { Database, EventsTable } from '../store/tables.js';
import { inTransaction } from '../store/transaction.js';
import { applyPostgresBatch, isConflict } from './apply-postgres.js';
import {
  addResult,
  emptyResult,
  eventContext,
  eventRow,
  reasonOf,
  recordIntegrationStats,
  undoPoint,
  type BatchResult,
  type BatchScope,
} from './batch-rows.js';
import { processEvent, type ProcessedEvent } from './pipeline.js';
import type { WorkerRules } from './stage.js';

/**
 * What the events will likely ask for: the alert keys they claim, in their integration's channel or where its routes
 * send the event as received, and the grouping keys their new alerts would join. A guess that misses costs a lookup
 * when the event gets there, nothing more.
 */
function likelyRows(
  rules: WorkerRules,
  events: readonly QueuedEvent[],
  stored: ReadonlySet<string>,
): { identities: AlertIdentity[]; openKeys: OpenKey[] } {
  const known = new Set(rules.channels.keys());
  const identities: AlertIdentity[] = [];
  const openKeys: OpenKey[] = [];
  for (const event of events) {
    const integration = rules.integrations.get(event.integration_id);
    if (!integration || stored.has(event.event_id)) continue;
    const subject = subjectOf(event);
    let channels: readonly string[] = [];
    if (integration.channelId !== null) channels = [integration.channelId];
    else if (integration.routing) {
      const decision = routeEvent(integration.routing, subject, known);
      if ('channels' in decision) channels = decision.channels;
    }
    for (const channel_id of channels) {
      identities.push({ integration_id: event.integration_id, channel_id, alert_key: event.alert_key });
      const grouping = rules.channels.get(channel_id)?.rules.grouping;
      const key = grouping && event.event_status !== 'Ok' ? groupingKey(grouping, subject) : undefined;
      if (key) openKeys.push({ channel_id, open_grouping_key: key.key });
    }
  }
  return { identities, openKeys };
}

interface Staged {
  scope: BatchScope;
  stage: BatchStage;
  result: BatchResult;
  rules: WorkerRules;
  clock: () => number;
}

/**
 * How long an event done straight through waits for a row another transaction holds, when its own transaction holds
 * locks already: past that, what is done commits and the event goes on in a new transaction.
 */
const lockTimeout = '50ms';

/**
 * Does again, writing straight through inside a savepoint, an event that needs what the stage does not keep: the
 * rows staged so far are written first, so the plain repositories see them. The event fails alone if it fails; a
 * conflict with another transaction is returned for the caller to commit before the event.
 */
async function applyDirect(
  { scope, stage, result, rules, clock }: Staged,
  event: QueuedEvent,
): Promise<{ processed: ProcessedEvent | undefined; now: number } | { conflict: unknown } | { failed: string }> {
  const { trx, repos } = scope;
  await repos.flush();
  stage.clear();
  const undo = undoPoint(scope, result, event);
  // The first event of a transaction holds nothing it could make another wait for: it may wait.
  const mayWait = stage.waitForLocks;
  await sql
    .raw(mayWait ? 'savepoint event' : `savepoint event; set local lock_timeout = '${lockTimeout}'`)
    .execute(trx);
  stage.direct = true;
  try {
    const now = clock();
    const processed = await processEvent(eventContext(scope, result, now), rules, event);
    await repos.flush();
    await sql
      .raw(mayWait ? 'release savepoint event' : 'release savepoint event; set local lock_timeout to default')
      .execute(trx);
    return { processed, now };
  } catch (error) {
    if (isStoreUnavailable(error)) throw error;
    await sql.raw('rollback to savepoint event; release savepoint event').execute(trx);
    undo();
    repos.discardDeferred();
    return isConflict(error) ? { conflict: error } : { failed: reasonOf(error) };
  } finally {
    stage.direct = false;
  }
}

type Outcome = { processed: ProcessedEvent | undefined; now: number } | { failed: string } | 'locked';

/** One event through the staged rows; done again straight through if it needs what they do not keep. */
async function applyOne(staged: Staged, event: QueuedEvent): Promise<Outcome> {
  const undo = undoPoint(staged.scope, staged.result, event);
  try {
    const now = staged.clock();
    return { processed: await processEvent(eventContext(staged.scope, staged.result, now), staged.rules, event), now };
  } catch (error) {
    undo();
    if (error instanceof RowLocked) return 'locked';
    if (!(error instanceof NotStaged)) throw error;
  }
  const direct = await applyDirect(staged, event);
  if (!('conflict' in direct)) return direct;
  // The first event of a transaction has nothing before it to commit: the transaction is done again.
  if (staged.stage.waitForLocks) throw direct.conflict;
  return 'locked';
}

interface Part {
  result: BatchResult;
  /** Events dealt with; the rest meet a row another transaction holds and go on in the next transaction. */
  taken: number;
}

/**
 * Applies events in one transaction without a savepoint each: the stages read and write through the batch's staged
 * rows, which reach the tables in a few statements at the end. Stops before an event that needs a row another
 * transaction holds (the first event waits for it instead). An error the stage cannot place on one event fails the
 * whole transaction.
 */
async function applyUntilLocked(
  trx: Kysely<Database>,
  rules: WorkerRules,
  events: QueuedEvent[],
  clock: () => number,
  newId: () => string,
): Promise<Part> {
  const stage = new BatchStage(trx);
  const repos = bindStagedRepos(trx, stage);
  const stored = await repos.events.storedEventIds(events.map((event) => event.event_id));
  const likely = likelyRows(rules, events, stored);
  await stage.prefetch(likely.identities, likely.openKeys);
  const scope = { trx, dialect: 'postgres' as const, repos, stored, newId };
  const result = emptyResult();
  const staged: Staged = { scope, stage, result, rules, clock };
  const rows: EventsTable[] = [];
  let taken = 0;
  for (const event of events) {
    stage.waitForLocks = taken === 0;
    const outcome = await applyOne(staged, event);
    if (outcome === 'locked') break;
    taken += 1;
    if ('failed' in outcome) result.failed.push({ event, reason: outcome.failed });
    else if (!outcome.processed) result.redelivered.push(event);
    else {
      result.applied.push({ event, processed: outcome.processed });
      rows.push(eventRow(outcome.processed.event, outcome.processed, outcome.now));
    }
  }
  await repos.flush();
  await repos.events.insertEvents(rows);
  await recordIntegrationStats(repos, result.applied);
  return { result, taken };
}

/**
 * PostgreSQL: a lane's batch with its alerts, incidents and keys staged in memory, so it costs a few statements
 * rather than a few per event, in as few transactions as contention allows (usually one). When a transaction fails
 * as a whole (the store refused a row, a lock cycle), the events it held are applied again with a savepoint each
 * ({@link applyPostgresBatch}), which finds the event at fault.
 */
export async function applyStagedBatch(
  store: StoreDatabase,
  rules: WorkerRules,
  events: QueuedEvent[],
  clock: () => number,
  newId: () => string,
): Promise<BatchResult> {
  const result = emptyResult();
  let next = 0;
  while (next < events.length) {
    const rest = events.slice(next);
    let part: Part;
    try {
      part = await inTransaction(store, (trx) => applyUntilLocked(trx, rules, rest, clock, newId));
    } catch (error) {
      if (isStoreUnavailable(error)) throw error;
      addResult(result, await applyPostgresBatch(store, rules, rest, clock, newId));
      return result;
    }
    addResult(result, part.result);
    next += part.taken;
  }
  return result;
}
