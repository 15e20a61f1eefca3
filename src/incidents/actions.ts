import { AppError } from '../errors.js';
import type { StoreDatabase } from '../store/database.js';
import type { IncidentRow } from '../store/incidents-repo.js';
import { bindRepos } from '../store/repos.js';
import { inTransaction } from '../store/transaction.js';
import { changeProgress, closeIncident, reopenIncident } from './lifecycle.js';
import { planAction, type IncidentAction } from './state.js';

export type { IncidentAction } from './state.js';

export interface ActionRequest {
  actor?: string;
  reason?: string;
}

/**
 * Acknowledges, un-acknowledges, closes or reopens an incident (state.ts says what each does). Closing also closes
 * its open alerts, so the next event of their keys opens new alerts; reopening re-opens the alerts the close ended.
 * Repeating an action that is already in effect changes nothing.
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
    const change = planAction(action, incident, now);
    if (!change) return incident;
    const detail: Record<string, unknown> = request.reason ? { reason: request.reason } : {};
    const actor = request.actor ?? null;
    if (action === 'close')
      return closeIncident(repos, incident, now, { timeline: 'i_close', actor, detail, ends: false });
    if (action === 'reopen') return reopenIncident(repos, incident, now, { actor, detail });
    return changeProgress(repos, incident, now, change.changes, { type: change.timeline, actor, detail });
  });
}
