import { AppError } from '../errors.js';
import type { StoreDatabase } from '../store/database.js';
import type { IncidentRow } from '../store/incidents-repo.js';
import { bindRepos } from '../store/repos.js';
import { inTransaction } from '../store/transaction.js';
import { changeProgress, closeIncident } from './lifecycle.js';

export type IncidentAction = 'ack' | 'unack' | 'close' | 'reopen';

export interface ActionRequest {
  actor?: string;
  reason?: string;
}

type Change = { changes: Partial<IncidentRow>; timeline: string } | undefined;

/** What an action does to an incident in a given progress; undefined = already done (idempotent). */
function plan(action: IncidentAction, incident: IncidentRow, now: number): Change {
  const closed = incident.progress === 'Closed';
  switch (action) {
    case 'ack':
      if (closed) throw new AppError('Conflict', `incident ${incident.incident_id} is closed; reopen it first`);
      return incident.progress === 'Processing'
        ? undefined
        : { changes: { progress: 'Processing', ack_time: now }, timeline: 'i_ack' };
    case 'unack':
      if (closed) throw new AppError('Conflict', `incident ${incident.incident_id} is closed; reopen it first`);
      return incident.progress === 'Triggered'
        ? undefined
        : { changes: { progress: 'Triggered', ack_time: null }, timeline: 'i_unack' };
    case 'close':
      return closed ? undefined : { changes: { progress: 'Closed', close_time: now }, timeline: 'i_close' };
    case 'reopen':
      return closed
        ? { changes: { progress: 'Triggered', close_time: null, ack_time: null }, timeline: 'i_reopen' }
        : undefined;
  }
}

/**
 * Acknowledges, un-acknowledges, closes or reopens an incident. Closing also closes its open alerts, so the next
 * event of their keys opens new alerts. Repeating an action that is already in effect changes nothing.
 */
export async function applyIncidentAction(
  store: StoreDatabase,
  incidentId: string,
  action: IncidentAction,
  request: ActionRequest,
  now: number,
): Promise<IncidentRow> {
  return inTransaction(store, async (trx) => {
    const repos = bindRepos(trx, store.dialect);
    const incident = await repos.incidents.lockIncident(incidentId);
    if (!incident) throw new AppError('ResourceNotFound', `no incident with id ${incidentId}`);
    const change = plan(action, incident, now);
    if (!change) return incident;
    const detail: Record<string, unknown> = request.reason ? { reason: request.reason } : {};
    const actor = request.actor ?? null;
    if (action === 'close')
      return closeIncident(repos, incident, now, { timeline: 'i_close', actor, detail, ends: false });
    return changeProgress(repos, incident, now, change.changes, { type: change.timeline, actor, detail });
  });
}
