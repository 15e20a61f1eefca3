import type { Selectable } from 'kysely';
import type { Channel, Integration } from '../config/types.js';
import type { SilenceView } from '../silences/service.js';
import {
  GroupMethod,
  type AlertsTable,
  type EventsTable,
  type GroupMethodCode,
  type IncidentsTable,
  type IncidentTimelineTable,
} from './tables.js';

/*
 * The objects the management API answers with, made from stored rows in this one place. Columns that exist for the
 * worker (hashes, the open grouping key, is_open, raw flags and JSON text) become named fields here and never leak.
 * Every time stays in epoch milliseconds; with `iso` each also gets an ISO 8601 twin, `<name>_iso`.
 */

/** How a view writes times: epoch ms only, or also an ISO 8601 twin of each (`start_time_iso`). */
export interface ViewOptions {
  iso?: boolean;
}

const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** The ISO 8601 twins of some epoch-ms fields (null stays null); nothing unless `options.iso`. */
export function isoTwins<T extends object>(
  row: T,
  fields: ReadonlyArray<keyof T & string>,
  options: ViewOptions,
): Record<string, string | null> {
  if (!options.iso) return {};
  const twins: Record<string, string | null> = {};
  for (const field of fields) {
    const value = row[field] as unknown;
    twins[`${field}_iso`] = typeof value === 'number' ? new Date(value).toISOString() : null;
  }
  return twins;
}

/** `group_method` as the API spells it; the stored n|p|i stay in the Flashduty-shaped webhook bodies. */
export type GroupMethodName = 'none' | 'rules' | 'similarity';

const groupMethodNames: Record<GroupMethodCode, GroupMethodName> = {
  [GroupMethod.none]: 'none',
  [GroupMethod.rule]: 'rules',
  [GroupMethod.similarity]: 'similarity',
};

export const groupMethodName = (code: GroupMethodCode): GroupMethodName => groupMethodNames[code] ?? 'none';

const incidentTimes = ['start_time', 'last_time', 'end_time', 'ack_time', 'close_time', 'created_at', 'updated_at'];

/** An incident as the API shows it. */
export function incidentView(row: Selectable<IncidentsTable>, options: ViewOptions = {}) {
  const thresholds = (parseJson(row.storm_raised) as number[] | null) ?? [];
  return {
    incident_id: row.incident_id,
    channel_id: row.channel_id,
    title: row.title,
    description: row.description,
    incident_severity: row.incident_severity,
    incident_status: row.incident_status,
    progress: row.progress,
    labels: parseJson(row.labels) as Record<string, string>,
    first_alert_id: row.first_alert_id,
    alert_cnt: row.alert_cnt,
    active_alert_cnt: row.active_alert_cnt,
    group_method: groupMethodName(row.group_method),
    grouping_key: row.grouping_key,
    /** Whether new alerts of its grouping key still join it (false once closed or past its grouping window). */
    accepts_alerts: row.open_grouping_key !== null,
    storm: { raised: thresholds.length > 0, thresholds },
    flapping: { state: row.flapping === 1 ? ('flapping' as const) : ('none' as const) },
    start_time: row.start_time,
    last_time: row.last_time,
    end_time: row.end_time,
    ack_time: row.ack_time,
    close_time: row.close_time,
    created_at: row.created_at,
    updated_at: row.updated_at,
    ...isoTwins(row, incidentTimes as Array<keyof IncidentsTable>, options),
  };
}

export type IncidentView = ReturnType<typeof incidentView>;

/** Why an alert never triggered an incident, from the stored `silenced:<rule>`, `inhibited:<rule>:<alert>`, `flapping`. */
export function muteView(muted: string | null) {
  if (muted === null) return null;
  if (muted.startsWith('silenced:')) return { reason: 'silenced' as const, rule: muted.slice('silenced:'.length) };
  if (muted.startsWith('inhibited:')) {
    const rest = muted.slice('inhibited:'.length);
    const split = rest.lastIndexOf(':');
    return {
      reason: 'inhibited' as const,
      rule: split < 0 ? rest : rest.slice(0, split),
      source_alert_id: split < 0 || split === rest.length - 1 ? null : rest.slice(split + 1),
    };
  }
  return { reason: 'flapping' as const };
}

const alertTimes = ['start_time', 'last_time', 'end_time', 'close_time', 'created_at', 'updated_at'];

/** An alert as the API shows it: `progress` instead of is_open, named mute and flapping states, no hashes. */
export function alertView(row: Selectable<AlertsTable>, options: ViewOptions = {}) {
  const muted = muteView(row.muted);
  return {
    alert_id: row.alert_id,
    integration_id: row.integration_id,
    integration_type: row.integration_type,
    channel_id: row.channel_id,
    alert_key: row.alert_key,
    incident_id: row.incident_id,
    title: row.title,
    title_rule: row.title_rule,
    description: row.description,
    alert_status: row.alert_status,
    alert_severity: row.alert_severity,
    progress: row.is_open === 1 ? ('Triggered' as const) : ('Closed' as const),
    labels: parseJson(row.labels) as Record<string, string>,
    images: parseJson(row.images),
    event_cnt: row.event_cnt,
    muted,
    /** flapping: its key flapped while it was open; muted: kept without an incident because its key was flapping. */
    flapping: {
      state:
        muted?.reason === 'flapping'
          ? ('muted' as const)
          : row.flapping === 1
            ? ('flapping' as const)
            : ('none' as const),
    },
    start_time: row.start_time,
    last_time: row.last_time,
    end_time: row.end_time,
    close_time: row.close_time,
    created_at: row.created_at,
    updated_at: row.updated_at,
    ...isoTwins(row, alertTimes as Array<keyof AlertsTable>, options),
  };
}

const eventTimes = ['event_time', 'received_at', 'processed_at'];

/** An event with its labels, images and trace as JSON (the trace: the list of steps the worker took). */
export function eventView(row: Selectable<EventsTable>, options: ViewOptions = {}) {
  return {
    ...row,
    labels: parseJson(row.labels) as Record<string, string>,
    images: parseJson(row.images),
    trace: parseJson(row.trace) as Array<Record<string, unknown>>,
    ...isoTwins(row, eventTimes as Array<keyof EventsTable>, options),
  };
}

/** One entry of an incident's timeline, its detail as JSON. */
export function timelineView(row: Selectable<IncidentTimelineTable>, options: ViewOptions = {}) {
  return { ...row, detail: parseJson(row.detail), ...isoTwins(row, ['at'], options) };
}

/** What the store knows of an integration's traffic (read-models' integrationActivity). */
export interface IntegrationActivity {
  latest_event_at: number | null;
  counts: Record<string, number>;
}

/** What an integration's view shows besides its configuration. */
export interface IntegrationFacts {
  activity: IntegrationActivity | undefined;
  /** Where it pushes, its key in the query; null for an email integration (it takes mail). */
  pushUrl: string | null;
  /** An email integration's address. */
  emailAddress?: string;
  /** Events mapped with defaults since this gateway started, by kind (`default_severity`, `missing_alert_key`). */
  schemaDrift: Record<string, number>;
}

/** An integration with its push URL, activity and schema drift; its key appears only inside the push URL. */
export function integrationView(integration: Integration, facts: IntegrationFacts, options: ViewOptions = {}) {
  const latest = { latest_event_at: facts.activity?.latest_event_at ?? null };
  return {
    id: integration.id,
    name: integration.name,
    adapter: integration.adapter,
    channel_id: integration.channelId,
    enabled: integration.enabled,
    push_url: facts.pushUrl,
    ...(facts.emailAddress !== undefined && { email_address: facts.emailAddress }),
    rate_limit: { per_second: integration.rateLimit.perSecond, per_minute: integration.rateLimit.perMinute },
    ...latest,
    ...isoTwins(latest, ['latest_event_at'], options),
    counts: facts.activity?.counts ?? {},
    schema_drift: facts.schemaDrift,
  };
}

export function channelView(channel: Channel) {
  return { id: channel.id, name: channel.name, description: channel.description, auto_close: channel.autoClose };
}

/** A silence as the silence service describes it, with ISO twins of its times when asked. */
export function silenceView(silence: SilenceView, options: ViewOptions = {}) {
  return { ...silence, ...isoTwins(silence, ['created_at', 'starts_at', 'expires_at'], options) };
}
