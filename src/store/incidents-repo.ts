import { sql, type Kysely, type Selectable } from 'kysely';
import type { Severity } from '../events/types.js';
import type { Dialect } from './migrations.js';
import type { Database, IncidentsTable } from './tables.js';

export type IncidentRow = Selectable<IncidentsTable>;

/** An incident's alerts, summarised. */
export interface AlertSummary {
  alertCount: number;
  /** Open alerts that have not recovered. */
  activeCount: number;
  severities: Severity[];
  activeSeverities: Severity[];
}

export async function insertIncident(trx: Kysely<Database>, row: IncidentRow): Promise<void> {
  await trx.insertInto('incidents').values(row).execute();
}

/** Reads an incident; on PostgreSQL locks it until commit so its counters are updated one writer at a time. */
export async function lockIncident(trx: Kysely<Database>, dialect: Dialect, incidentId: string): Promise<IncidentRow | undefined> {
  return trx
    .selectFrom('incidents')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .$if(dialect === 'postgres', (qb) => qb.forUpdate())
    .executeTakeFirst();
}

export async function updateIncident(trx: Kysely<Database>, incidentId: string, changes: Partial<IncidentRow>): Promise<void> {
  await trx.updateTable('incidents').set(changes).where('incident_id', '=', incidentId).execute();
}

/** Counts and severities of an incident's alerts. */
export async function summariseIncidentAlerts(trx: Kysely<Database>, incidentId: string): Promise<AlertSummary> {
  const rows = await trx
    .selectFrom('alerts')
    .select(['alert_severity', sql<number>`count(*)`.as('total'), sql<number>`sum(case when is_open = 1 and alert_status <> 'Ok' then 1 else 0 end)`.as('active')])
    .where('incident_id', '=', incidentId)
    .groupBy('alert_severity')
    .execute();
  const summary: AlertSummary = { alertCount: 0, activeCount: 0, severities: [], activeSeverities: [] };
  for (const row of rows) {
    const severity = row.alert_severity as Severity;
    summary.alertCount += Number(row.total);
    summary.activeCount += Number(row.active);
    summary.severities.push(severity);
    if (Number(row.active) > 0) summary.activeSeverities.push(severity);
  }
  return summary;
}

export interface TimelineEntry {
  incident_id: string;
  type: string;
  at: number;
  actor?: string | null;
  alert_id?: string | null;
  detail?: Record<string, unknown> | null;
}

export async function addTimeline(trx: Kysely<Database>, entries: TimelineEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await trx
    .insertInto('incident_timeline')
    .values(
      entries.map((entry) => ({
        incident_id: entry.incident_id,
        type: entry.type,
        at: entry.at,
        actor: entry.actor ?? null,
        alert_id: entry.alert_id ?? null,
        detail: entry.detail ? JSON.stringify(entry.detail) : null,
      })),
    )
    .execute();
}
