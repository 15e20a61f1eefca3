import { AppError } from '../errors.js';
import type { StoreDatabase } from '../store/database.js';
import type { IncidentRow } from '../store/incidents-repo.js';
import { bindRepos } from '../store/repos.js';
import { inTransaction } from '../store/transaction.js';
import { changeProgress, closeIncident, reopenIncident } from './lifecycle.js';
import { planAction, type IncidentAction } from './state.js';
import { newId } from '../events/ids.js';
import { recordIncidentTimeline, type Outbox } from '../notify/outbox.js';
import type { OutboxEntry } from '../notify/outbox.js';

export type { IncidentAction } from './state.js';

/** Where an action's deliveries go: the outbox in force, and the list the written ones are added to. */
export interface OutboxSink {
  outbox: Outbox | undefined;
  deliveries: OutboxEntry[];
}

export interface ActionRequest {
  actor?: string;
  reason?: string;
}

/**
 * Acknowledges, un-acknowledges, closes or reopens an incident (state.ts says what each does). Closing also closes
 * its open alerts, so the next event of their keys opens new alerts; reopening re-opens the alerts the close ended.
 * Repeating an action that is already in effect changes nothing. Given `notify`, the outbound deliveries of the
 * change are written with it and collected there, to enqueue after commit.
 */
export async function applyIncidentAction(
  store: StoreDatabase,
  incidentId: string,
  action: IncidentAction,
  request: ActionRequest,
  now: number,
  notify?: OutboxSink,
): Promise<IncidentRow> {
  return inTransaction(store, async (trx) => {
    const repos = bindRepos(trx, store.dialect);
    const incident = await repos.incidents.lockIncident(incidentId);
    if (!incident) throw new AppError('ResourceNotFound', `no incident with id ${incidentId}`);
    const change = planAction(action, incident, now);
    if (!change) return incident;
    const detail: Record<string, unknown> = request.reason ? { reason: request.reason } : {};
    const actor = request.actor ?? null;
    const changed =
      action === 'close'
        ? await closeIncident(repos, incident, now, { timeline: 'i_close', actor, detail, ends: false })
        : action === 'reopen'
          ? await reopenIncident(repos, incident, now, { actor, detail })
          : await changeProgress(repos, incident, now, change.changes, { type: change.timeline, actor, detail });
    // The change and its deliveries commit together.
    const deliveries = await recordIncidentTimeline(repos, notify?.outbox, changed, now, newId);
    notify?.deliveries.push(...deliveries);
    return changed;
  });
}
