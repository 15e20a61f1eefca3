import type { Kysely } from 'kysely';
import type { Channel } from '../config/types.js';
import type { TimerJobData } from '../queue/timer-queue.js';
import { autoResolveDueAt } from '../rules/auto-resolve.js';
import type { FilterSubject } from '../rules/filter.js';
import { canJoin, groupingKey } from '../rules/grouping.js';
import { bestMatch } from '../rules/similarity.js';
import { stormThresholdsCrossed } from '../rules/storm.js';
import type { AlertRow } from '../store/alerts-repo.js';
import { addTimeline, insertIncident, updateIncident, type IncidentRow } from '../store/incidents-repo.js';
import type { Dialect } from '../store/migrations.js';
import type { Database } from '../store/tables.js';
import { runCached } from '../store/cached-query.js';
import type { Severity } from '../events/types.js';
import { highestSeverity } from './incident-state.js';
import type { TraceStep } from './trace.js';

/** What a stage needs to touch the store inside the event's transaction. */
export interface StageContext {
  trx: Kysely<Database>;
  dialect: Dialect;
  now: number;
  newId: () => string;
  /** Auto-resolve timers to schedule once the transaction has committed; absent: none (e.g. a dry run). */
  timers?: TimerJobData[];
}

/** Where a new alert went, and why (for the trace). */
export interface Placement {
  incident: IncidentRow;
  created: boolean;
  trace: TraceStep;
}

/** The alert → incident step. Swappable: grouping rules replace the default without touching the rest. */
export interface GroupingStage {
  place(context: StageContext, alert: AlertRow, channel: Channel): Promise<Placement>;
}

/** An alert as the filter language and grouping rules see it. */
export function alertSubject(alert: Pick<AlertRow, 'title' | 'description' | 'alert_severity' | 'labels' | 'integration_id'>): FilterSubject {
  return { title: alert.title, ...(alert.description !== null && { description: alert.description }), severity: alert.alert_severity, labels: JSON.parse(alert.labels) as Record<string, string>, integration_id: alert.integration_id };
}

/** Opens a new incident holding just this alert. */
export async function openIncidentForAlert(context: StageContext, alert: AlertRow, channel: Channel, groupMethod: string, groupingKey: string | null, openKey: string | null = groupingKey): Promise<IncidentRow> {
  const incident: IncidentRow = {
    incident_id: context.newId(),
    channel_id: channel.id,
    title: alert.title,
    description: alert.description,
    incident_severity: alert.alert_severity,
    incident_status: alert.alert_status,
    progress: 'Triggered',
    labels: alert.labels,
    first_alert_id: alert.alert_id,
    alert_cnt: 1,
    active_alert_cnt: 1,
    group_method: groupMethod,
    grouping_key: groupingKey,
    open_grouping_key: openKey,
    storm_raised: null,
    flapping: 0,
    start_time: alert.start_time,
    last_time: alert.start_time,
    end_time: null,
    ack_time: null,
    close_time: null,
    created_at: context.now,
    updated_at: context.now,
  };
  await insertIncident(context.trx, context.dialect, incident);
  await addTimeline(context.trx, context.dialect, [{ incident_id: incident.incident_id, type: 'i_new', at: context.now, alert_id: alert.alert_id }]);
  // One timer at the first possible due time; for last-merge the timer itself moves on while merges keep coming.
  if (channel.rules.autoResolve) context.timers?.push({ incident_id: incident.incident_id, due_at: autoResolveDueAt(incident, channel.rules.autoResolve) });
  return incident;
}

/** Adds an alert to an open incident: counters, last merge time, `a_merge` and any storm thresholds crossed. */
async function joinIncident(context: StageContext, incident: IncidentRow, alert: AlertRow, channel: Channel): Promise<IncidentRow> {
  const raised = incident.storm_raised ? (JSON.parse(incident.storm_raised) as number[]) : [];
  const crossed = stormThresholdsCrossed(channel.rules.stormThresholds, incident.alert_cnt, incident.alert_cnt + 1, raised);
  // A joining alert is active: the incident's state follows without re-reading its other alerts.
  const wasRecovered = incident.active_alert_cnt === 0;
  const changes = {
    alert_cnt: incident.alert_cnt + 1,
    active_alert_cnt: incident.active_alert_cnt + 1,
    incident_severity: highestSeverity([incident.incident_severity as Severity, alert.alert_severity as Severity]),
    incident_status: wasRecovered ? alert.alert_status : highestSeverity([incident.incident_status as Severity, alert.alert_status as Severity]),
    end_time: null,
    last_time: context.now,
    updated_at: context.now,
    storm_raised: crossed.length > 0 ? JSON.stringify([...raised, ...crossed]) : incident.storm_raised,
  };
  // Every join writes the same columns: one cached statement.
  const columns = Object.keys(changes) as Array<keyof typeof changes>;
  await runCached(
    context.trx,
    context.dialect,
    'join-incident',
    (db) => db.updateTable('incidents').set(Object.fromEntries(columns.map((column) => [column, null]))).where('incident_id', '=', ''),
    [...columns.map((column) => changes[column]), incident.incident_id],
  );
  await addTimeline(context.trx, context.dialect, [
    { incident_id: incident.incident_id, type: 'a_merge', at: context.now, alert_id: alert.alert_id },
    ...crossed.map((threshold) => ({ incident_id: incident.incident_id, type: 'i_storm', at: context.now, detail: { threshold, alert_cnt: incident.alert_cnt + 1 } })),
  ]);
  return { ...incident, ...changes };
}

async function openIncidentByKey(context: StageContext, channelId: string, openKey: string): Promise<IncidentRow | undefined> {
  const result = await runCached(
    context.trx,
    context.dialect,
    'open-incident-by-key',
    (db) => db.selectFrom('incidents').selectAll().where('channel_id', '=', '').where('open_grouping_key', '=', '').$if(context.dialect === 'postgres', (qb) => qb.forUpdate()),
    [channelId, openKey],
  );
  return result.rows[0];
}

/** Joins the open incident of a grouping key if its window allows, else retires it and opens a new one. */
async function placeByKey(context: StageContext, alert: AlertRow, channel: Channel, method: string, key: string, dimensions: Record<string, string>): Promise<Placement> {
  const grouping = channel.rules.grouping;
  const window = { ...(grouping?.timeWindowMs !== undefined && { time_window_ms: grouping.timeWindowMs }), window_type: grouping?.windowType ?? 'tumbling' } as const;
  const existing = await openIncidentByKey(context, channel.id, key);
  if (existing) {
    const verdict = canJoin(existing, context.now, window, existing.alert_cnt);
    if (verdict.join) {
      const incident = await joinIncident(context, existing, alert, channel);
      return { incident, created: false, trace: { step: 'incident', result: 'merged_into_incident', incident_id: incident.incident_id, method, grouping_key: key, dimensions: JSON.stringify(dimensions) } };
    }
    // Out of its window or full: the key moves on to a new incident; the old one stays open for its alerts.
    await updateIncident(context.trx, existing.incident_id, { open_grouping_key: null, updated_at: context.now });
    const incident = await openIncidentForAlert(context, alert, channel, method, key);
    return { incident, created: true, trace: { step: 'incident', result: 'incident_opened', incident_id: incident.incident_id, method, grouping_key: key, reason: `incident ${existing.incident_id}: ${verdict.reason}` } };
  }
  const incident = await openIncidentForAlert(context, alert, channel, method, key);
  return { incident, created: true, trace: { step: 'incident', result: 'incident_opened', incident_id: incident.incident_id, method, grouping_key: key, dimensions: JSON.stringify(dimensions) } };
}

/** Similarity: the most similar open incident of the channel at or above the threshold, else a new one. */
async function placeBySimilarity(context: StageContext, alert: AlertRow, channel: Channel): Promise<Placement> {
  const candidates = await context.trx
    .selectFrom('incidents')
    .selectAll()
    .where('channel_id', '=', channel.id)
    .where('group_method', '=', 'i')
    .where('open_grouping_key', 'is not', null)
    .orderBy('incident_id', 'desc')
    .limit(200)
    .execute();
  const { keys, threshold } = channel.rules.similarity;
  const match = bestMatch(alertSubject(alert), candidates.map((incident) => ({ incident, subject: alertSubject({ ...incident, alert_severity: incident.incident_severity, integration_id: alert.integration_id }) })), threshold, keys);
  if (match) {
    const placed = await placeByKey(context, alert, channel, 'i', match.candidate.incident.open_grouping_key ?? '', {});
    placed.trace.score = Math.round(match.score * 1000) / 1000;
    return placed;
  }
  const id = `sim:${context.newId()}`;
  const incident = await openIncidentForAlert(context, alert, channel, 'i', null, id);
  return { incident, created: true, trace: { step: 'incident', result: 'incident_opened', incident_id: incident.incident_id, method: 'similarity', reason: `no open incident at similarity ≥ ${threshold}` } };
}

/** Grouping per the channel's rules: none (one incident per alert), rule dimensions, or similarity. */
export const channelGrouping: GroupingStage = {
  async place(context, alert, channel) {
    const grouping = channel.rules.grouping;
    if (grouping?.method === 'similarity') return placeBySimilarity(context, alert, channel);
    const key = grouping ? groupingKey(grouping, alertSubject(alert)) : undefined;
    if (grouping && key) return placeByKey(context, alert, channel, 'p', key.key, key.dimensions);
    const incident = await openIncidentForAlert(context, alert, channel, 'n', null);
    const reason = grouping ? 'no grouping dimension has values (strict)' : 'grouping off';
    return { incident, created: true, trace: { step: 'incident', result: 'incident_opened', incident_id: incident.incident_id, reason } };
  },
};

/** Closed incidents take no more alerts: release their grouping key. */
export async function releaseGroupingKey(trx: Kysely<Database>, incidentId: string): Promise<void> {
  await updateIncident(trx, incidentId, { open_grouping_key: null });
}
