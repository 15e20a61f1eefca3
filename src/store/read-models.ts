import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Severity } from '../events/types.js';
import { alertView, eventView, incidentView, timelineView, type ViewOptions } from './api-views.js';
import type { Dialect } from './dialect.js';
import type { Database, IncidentProgress } from './tables.js';

/* The management API's reads: paged, filtered queries over the store, answered through the views of api-views.ts. */

export interface IncidentFilter {
  progress?: string[];
  channelIds?: string[];
  severities?: string[];
  /** Incident status: the severity of its active alerts, or Ok. */
  statuses?: string[];
  /** Every pair must be among the incident's labels. */
  labels?: Array<[string, string]>;
  /** Text the title contains (case-insensitive). */
  text?: string;
  since?: number;
  until?: number;
  /** Page after this incident id (ids sort by creation time). */
  cursor?: string;
  limit: number;
  /** Also count the open incidents of the filtered set by severity. */
  counts?: boolean;
}

/** `a LIKE '%text%'` without its wildcards: `%`, `_` and `\` in the text match themselves. */
export const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Case-insensitive "column contains text" in either dialect (SQLite's LIKE already ignores ASCII case). */
export function containsText(dialect: Dialect, column: string, text: string) {
  const like = dialect === 'postgres' ? sql.raw('ilike') : sql.raw('like');
  return sql<boolean>`${sql.ref(column)} ${like} ${likePattern(text)} escape '\\'`;
}

/** The value of one label in a labels JSON text column. */
function labelValue(dialect: Dialect, key: string) {
  return dialect === 'postgres'
    ? sql<string>`(cast(labels as jsonb) ->> ${key})`
    : sql<string>`json_extract(labels, ${'$.' + JSON.stringify(key)})`;
}

function filterIncidents<O>(
  qb: SelectQueryBuilder<Database, 'incidents', O>,
  dialect: Dialect,
  filter: IncidentFilter,
): SelectQueryBuilder<Database, 'incidents', O> {
  let query = qb
    // The route lets only known values through.
    .$if(filter.progress !== undefined, (q) => q.where('progress', 'in', (filter.progress ?? []) as IncidentProgress[]))
    .$if(filter.channelIds !== undefined, (q) => q.where('channel_id', 'in', filter.channelIds ?? []))
    .$if(filter.severities !== undefined, (q) =>
      q.where('incident_severity', 'in', (filter.severities ?? []) as Severity[]),
    )
    .$if(filter.statuses !== undefined, (q) =>
      q.where('incident_status', 'in', (filter.statuses ?? []) as Array<Severity | 'Ok'>),
    )
    .$if(filter.text !== undefined, (q) => q.where(containsText(dialect, 'title', filter.text ?? '')))
    .$if(filter.since !== undefined, (q) => q.where('start_time', '>=', filter.since ?? 0))
    .$if(filter.until !== undefined, (q) => q.where('start_time', '<', filter.until ?? 0));
  for (const [key, value] of filter.labels ?? []) query = query.where(labelValue(dialect, key), '=', value);
  return query;
}

/** Newest first, paged by a cursor (the last id of the previous page); `counts` by severity of the open ones. */
export async function listIncidents(
  db: Kysely<Database>,
  dialect: Dialect,
  filter: IncidentFilter,
  options: ViewOptions = {},
) {
  const rows = await filterIncidents(db.selectFrom('incidents').selectAll(), dialect, filter)
    .$if(filter.cursor !== undefined, (qb) => qb.where('incident_id', '<', filter.cursor ?? ''))
    .orderBy('incident_id', 'desc')
    .limit(filter.limit + 1)
    .execute();
  const page = rows.slice(0, filter.limit);
  return {
    items: page.map((row) => incidentView(row, options)),
    next_cursor: rows.length > filter.limit ? page[page.length - 1].incident_id : null,
    ...(filter.counts && { counts: await countOpenIncidents(db, dialect, filter) }),
  };
}

/** Open (not Closed) incidents of the filtered set by severity; every severity is present, 0 when none. */
async function countOpenIncidents(db: Kysely<Database>, dialect: Dialect, filter: IncidentFilter) {
  const rows = await filterIncidents(db.selectFrom('incidents'), dialect, filter)
    .select(['incident_severity', sql<number>`count(*)`.as('n')])
    .where('progress', '<>', 'Closed')
    .groupBy('incident_severity')
    .execute();
  const counts: Record<Severity, number> = { Critical: 0, Warning: 0, Info: 0 };
  for (const row of rows) counts[row.incident_severity] = Number(row.n);
  return counts;
}

export async function getIncident(db: Kysely<Database>, incidentId: string, options: ViewOptions = {}) {
  const incident = await db
    .selectFrom('incidents')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
  if (!incident) return undefined;
  const alerts = await db
    .selectFrom('alerts')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('alert_id')
    .limit(5000)
    .execute();
  const timeline = await db
    .selectFrom('incident_timeline')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
  return {
    incident: incidentView(incident, options),
    alerts: alerts.map((row) => alertView(row, options)),
    timeline: timeline.map((row) => timelineView(row, options)),
  };
}

export interface AlertFilter {
  integrationIds?: string[];
  channelIds?: string[];
  incidentId?: string;
  /** active: open and not recovered; recovered: Ok; closed: not open. */
  state?: 'active' | 'recovered' | 'closed';
  cursor?: string;
  limit: number;
}

export async function listAlerts(db: Kysely<Database>, filter: AlertFilter, options: ViewOptions = {}) {
  const rows = await db
    .selectFrom('alerts')
    .selectAll()
    .$if(filter.integrationIds !== undefined, (qb) => qb.where('integration_id', 'in', filter.integrationIds ?? []))
    .$if(filter.channelIds !== undefined, (qb) => qb.where('channel_id', 'in', filter.channelIds ?? []))
    .$if(filter.incidentId !== undefined, (qb) => qb.where('incident_id', '=', filter.incidentId ?? ''))
    .$if(filter.state === 'active', (qb) => qb.where('is_open', '=', 1))
    .$if(filter.state === 'recovered', (qb) => qb.where('alert_status', '=', 'Ok'))
    .$if(filter.state === 'closed', (qb) => qb.where('is_open', 'is', null))
    .$if(filter.cursor !== undefined, (qb) => qb.where('alert_id', '<', filter.cursor ?? ''))
    .orderBy('alert_id', 'desc')
    .limit(filter.limit + 1)
    .execute();
  const page = rows.slice(0, filter.limit);
  return {
    items: page.map((row) => alertView(row, options)),
    next_cursor: rows.length > filter.limit ? page[page.length - 1].alert_id : null,
  };
}

export async function getAlert(db: Kysely<Database>, alertId: string, options: ViewOptions = {}) {
  const alert = await db.selectFrom('alerts').selectAll().where('alert_id', '=', alertId).executeTakeFirst();
  if (!alert) return undefined;
  const events = await db
    .selectFrom('events')
    .selectAll()
    .where('alert_id', '=', alertId)
    .orderBy('event_id')
    .limit(1000)
    .execute();
  return { alert: alertView(alert, options), events: events.map((row) => eventView(row, options)) };
}

/** Latest event time and outcome counts of every integration that has received something. */
export async function integrationActivity(db: Kysely<Database>) {
  const stats = await db.selectFrom('integration_stats').selectAll().execute();
  const counts = await db.selectFrom('integration_counts').selectAll().execute();
  const activity = new Map<string, { latest_event_at: number | null; counts: Record<string, number> }>();
  for (const row of stats) activity.set(row.integration_id, { latest_event_at: row.latest_event_at, counts: {} });
  for (const row of counts) {
    const entry = activity.get(row.integration_id) ?? { latest_event_at: null, counts: {} };
    entry.counts[row.outcome] = Number(row.count);
    activity.set(row.integration_id, entry);
  }
  return activity;
}
