import type { Kysely, Selectable } from 'kysely';
import type {
  AlertsTable,
  Database,
  EventsTable,
  IncidentProgress,
  IncidentsTable,
  IncidentTimelineTable,
} from './tables.js';

const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** An incident as the API shows it. */
export function incidentView(row: Selectable<IncidentsTable>) {
  return { ...row, labels: parseJson(row.labels) };
}

export function alertView(row: Selectable<AlertsTable>) {
  const { last_event_hash: _hash, last_event_core_hash: _core, is_open, ...rest } = row;
  return {
    ...rest,
    progress: is_open === 1 ? 'Triggered' : 'Closed',
    labels: parseJson(row.labels),
    images: parseJson(row.images),
  };
}

export function eventView(row: Selectable<EventsTable>) {
  return { ...row, labels: parseJson(row.labels), images: parseJson(row.images), trace: parseJson(row.trace) };
}

export function timelineView(row: Selectable<IncidentTimelineTable>) {
  return { ...row, detail: parseJson(row.detail) };
}

export interface IncidentFilter {
  progress?: string[];
  channelIds?: string[];
  since?: number;
  until?: number;
  /** Page after this incident id (ids sort by creation time). */
  cursor?: string;
  limit: number;
}

/** Newest first, paged by a cursor (the last id of the previous page). */
export async function listIncidents(db: Kysely<Database>, filter: IncidentFilter) {
  const rows = await db
    .selectFrom('incidents')
    .selectAll()
    // The route lets only the three progresses through.
    .$if(filter.progress !== undefined, (qb) =>
      qb.where('progress', 'in', (filter.progress ?? []) as IncidentProgress[]),
    )
    .$if(filter.channelIds !== undefined, (qb) => qb.where('channel_id', 'in', filter.channelIds ?? []))
    .$if(filter.since !== undefined, (qb) => qb.where('start_time', '>=', filter.since ?? 0))
    .$if(filter.until !== undefined, (qb) => qb.where('start_time', '<', filter.until ?? 0))
    .$if(filter.cursor !== undefined, (qb) => qb.where('incident_id', '<', filter.cursor ?? ''))
    .orderBy('incident_id', 'desc')
    .limit(filter.limit + 1)
    .execute();
  const page = rows.slice(0, filter.limit);
  return {
    items: page.map(incidentView),
    next_cursor: rows.length > filter.limit ? page[page.length - 1].incident_id : null,
  };
}

export async function getIncident(db: Kysely<Database>, incidentId: string) {
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
  return { incident: incidentView(incident), alerts: alerts.map(alertView), timeline: timeline.map(timelineView) };
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

export async function listAlerts(db: Kysely<Database>, filter: AlertFilter) {
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
    items: page.map(alertView),
    next_cursor: rows.length > filter.limit ? page[page.length - 1].alert_id : null,
  };
}

export async function getAlert(db: Kysely<Database>, alertId: string) {
  const alert = await db.selectFrom('alerts').selectAll().where('alert_id', '=', alertId).executeTakeFirst();
  if (!alert) return undefined;
  const events = await db
    .selectFrom('events')
    .selectAll()
    .where('alert_id', '=', alertId)
    .orderBy('event_id')
    .limit(1000)
    .execute();
  return { alert: alertView(alert), events: events.map(eventView) };
}

export async function getEvent(db: Kysely<Database>, eventId: string) {
  const event = await db.selectFrom('events').selectAll().where('event_id', '=', eventId).executeTakeFirst();
  return event && eventView(event);
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
