import type { Kysely } from 'kysely';
import { AppError } from '../errors.js';
import { closeAlertsOfIncident } from '../store/alerts-repo.js';
import type { StoreDatabase } from '../store/database.js';
import { addTimeline, lockIncident, updateIncident, type IncidentRow } from '../store/incidents-repo.js';
import type { Dialect } from '../store/migrations.js';
import type { Database } from '../store/tables.js';
import { inTransaction } from '../store/transaction.js';

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
      return incident.progress === 'Processing' ? undefined : { changes: { progress: 'Processing', ack_time: now }, timeline: 'i_ack' };
    case 'unack':
      if (closed) throw new AppError('Conflict', `incident ${incident.incident_id} is closed; reopen it first`);
      return incident.progress === 'Triggered' ? undefined : { changes: { progress: 'Triggered', ack_time: null }, timeline: 'i_unack' };
    case 'close':
      return closed ? undefined : { changes: { progress: 'Closed', close_time: now }, timeline: 'i_close' };
    case 'reopen':
      return closed ? { changes: { progress: 'Triggered', close_time: null, ack_time: null }, timeline: 'i_reopen' } : undefined;
  }
}

/** How a close is recorded: its timeline entry, who did it, and what else the entry says. */
export interface CloseRecord {
  /** `i_close` (by hand) or `i_rslv` (resolved, e.g. by the auto-resolve timeout). */
  timeline: 'i_close' | 'i_rslv';
  actor: string | null;
  detail: Record<string, unknown>;
  /** A resolved incident also ends (end_time), unless it had already recovered. */
  ends: boolean;
}

/**
 * Closes an open incident inside the caller's transaction (the incident locked by it): progress Closed, close_time,
 * its open alerts closed, its grouping key released, one timeline entry with the number of alerts closed.
 */
export async function closeIncidentIn(trx: Kysely<Database>, dialect: Dialect, incident: IncidentRow, now: number, record: CloseRecord): Promise<IncidentRow> {
  const closedAlerts = await closeAlertsOfIncident(trx, incident.incident_id, now);
  // A closed incident takes no more alerts: its grouping key goes to the next incident.
  const changes: Partial<IncidentRow> = { progress: 'Closed', close_time: now, open_grouping_key: null, updated_at: now, ...(record.ends && { end_time: incident.end_time ?? now }) };
  await updateIncident(trx, incident.incident_id, changes);
  await addTimeline(trx, dialect, [{ incident_id: incident.incident_id, type: record.timeline, at: now, actor: record.actor, detail: { ...record.detail, closed_alerts: closedAlerts } }]);
  return { ...incident, ...changes };
}

/**
 * Acknowledges, un-acknowledges, closes or reopens an incident. Closing also closes its open alerts, so the next
 * event of their keys opens new alerts. Repeating an action that is already in effect changes nothing.
 */
export async function applyIncidentAction(store: StoreDatabase, incidentId: string, action: IncidentAction, request: ActionRequest, now: number): Promise<IncidentRow> {
  return inTransaction(store, async (trx) => {
    const incident = await lockIncident(trx, store.dialect, incidentId);
    if (!incident) throw new AppError('ResourceNotFound', `no incident with id ${incidentId}`);
    const change = plan(action, incident, now);
    if (!change) return incident;
    const detail: Record<string, unknown> = request.reason ? { reason: request.reason } : {};
    const actor = request.actor ?? null;
    if (action === 'close') return closeIncidentIn(trx, store.dialect, incident, now, { timeline: 'i_close', actor, detail, ends: false });
    await updateIncident(trx, incidentId, { ...change.changes, updated_at: now });
    await addTimeline(trx, store.dialect, [{ incident_id: incidentId, type: change.timeline, at: now, actor, detail }]);
    return { ...incident, ...change.changes, updated_at: now };
  });
}
