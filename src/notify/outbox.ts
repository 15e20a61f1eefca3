import { createHash } from 'node:crypto';
import type { Config, Webhook } from '../config/types.js';
import { idTimePart } from '../events/ids.js';
import type { NewDelivery, NewOutboxRow, OutboxRow } from '../store/deliveries-repo.js';
import type { AlertRow } from '../store/alerts-repo.js';
import type { IncidentRow, TimelineEntry } from '../store/incidents-repo.js';
import type { Repos } from '../store/repos.js';
import { alertBody, incidentBody, type BodyContext } from './build-body.js';
import { receives } from './receivers.js';
import type {
  AlertEventType,
  IncidentEventType,
  WebhookBody,
  WebhookEventType,
  WebhookPerson,
} from './webhook-body.js';

/** The receivers that take one kind of change: their ids, and the same as the outbox row's JSON column. */
export interface ChangeReceivers {
  ids: readonly string[];
  json: string;
}

/** Where changes are sent: the receivers in force and what their bodies show. */
export interface Outbox extends BodyContext {
  webhooks: readonly Webhook[];
  /** Channels that re-notify a Triggered, unacknowledged incident, and how often (ms). */
  repeatIntervals: ReadonlyMap<string, number>;
  /** The receivers that take changes of this type from this channel; undefined when none does. */
  receiversOf(eventType: WebhookEventType, channelId: string): ChangeReceivers | undefined;
}

/** The outbox of a configuration: its receivers, names by id, links under `publicUrl`. */
export function outboxOf(config: Config, publicUrl: string): Outbox {
  const channels = new Map(config.channels.map((channel) => [channel.id, channel.name]));
  const integrations = new Map(config.integrations.map((integration) => [integration.id, integration.name]));
  const repeatIntervals = new Map<string, number>();
  for (const channel of config.channels)
    if (channel.repeatIntervalMs) repeatIntervals.set(channel.id, channel.repeatIntervalMs);
  // Asked for every change the pipeline records: worked out once per event type and channel, then looked up.
  const receivers = new Map<string, ChangeReceivers | undefined>();
  return {
    webhooks: config.webhooks,
    repeatIntervals,
    publicUrl: publicUrl.replace(/\/$/, ''),
    channelName: (id) => channels.get(id) ?? id,
    integrationName: (id) => integrations.get(id) ?? id,
    receiversOf(eventType, channelId) {
      const key = `${eventType} ${channelId}`;
      if (receivers.has(key)) return receivers.get(key);
      const ids = config.webhooks.filter((webhook) => receives(webhook, eventType, channelId)).map(({ id }) => id);
      const found = ids.length > 0 ? { ids, json: JSON.stringify(ids) } : undefined;
      receivers.set(key, found);
      return found;
    },
  };
}

/** One change of an incident or alert, to be delivered to every receiver that takes it. */
export interface Change {
  /** The body's `event_id`: stable for the change, the same for every receiver. */
  change_id: string;
  event_type: WebhookEventType;
  channel_id: string;
  incident_id?: string;
  alert_id?: string;
  person?: WebhookPerson;
}

/** Timeline entries that are changes worth a message, and the event type each is sent as. */
const timelineEventTypes: Readonly<Record<string, WebhookEventType>> = {
  i_new: 'i_new',
  a_merge: 'a_merge',
  i_storm: 'i_storm',
  i_rslv: 'i_rslv',
  i_close: 'i_rslv',
  i_ack: 'i_ack',
  i_unack: 'i_unack',
  i_reopen: 'i_reopen',
  i_m_flapping: 'i_m_flapping',
  i_repeat: 'i_repeat',
};

/**
 * The id of the delivery of one change to one receiver: deterministic, so writing the same change twice (a
 * redelivered job, two workers) writes one delivery, and its value is the same on every retry. It begins with the
 * time part of the change's id (an event's or an action's), so the ids of new deliveries sort after older ones: their
 * rows and attempts go to the end of the indexes on delivery id instead of to a random page each, which for a store
 * writing thousands of deliveries a second is most of what a commit writes.
 */
export function deliveryId(receiverId: string, changeId: string): string {
  const hash = createHash('sha256').update(`${receiverId}\0${changeId}`).digest('hex');
  const time = idTimePart(changeId);
  return time === undefined ? `d${hash.slice(0, 31)}` : `d${time}${hash.slice(0, 21)}`;
}

/**
 * The changes that timeline entries of one incident record, of the types `wanted` (all when absent). An `a_merge`
 * while a storm notice stands is not a change worth a message (the notice said it), unless the same merge raised the
 * notice.
 */
export function changesOfTimeline(
  entries: readonly TimelineEntry[],
  channelId: string,
  changeId: (index: number) => string,
  stormRaised: (incidentId: string) => boolean,
  wanted: (eventType: WebhookEventType) => boolean = () => true,
): Change[] {
  const changes: Change[] = [];
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index];
    const eventType = timelineEventTypes[entry.type];
    if (!eventType || !wanted(eventType)) continue;
    if (eventType === 'a_merge' && stormRaised(entry.incident_id) && !raisesStorm(entries, entry.incident_id)) continue;
    const change: Change = { change_id: changeId(index), event_type: eventType, channel_id: channelId };
    change.incident_id = entry.incident_id;
    if (entry.alert_id) change.alert_id = entry.alert_id;
    if (entry.actor) change.person = { person_id: entry.actor, person_name: entry.actor };
    changes.push(change);
  }
  return changes;
}

/** Whether these entries raise a storm notice on the incident. */
const raisesStorm = (entries: readonly TimelineEntry[], incidentId: string): boolean =>
  entries.some((entry) => entry.type === 'i_storm' && entry.incident_id === incidentId);

/** An incident change before its body is built: the incident as the change left it. */
export interface IncidentAsChanged {
  event_type: IncidentEventType;
  event_time: number;
  person?: WebhookPerson;
  incident: IncidentRow;
}

/** An alert change before its body is built: the alert as the change left it, and its incident's id and title. */
export interface AlertAsChanged {
  event_type: AlertEventType;
  event_time: number;
  alert: AlertRow;
  incident?: Pick<IncidentRow, 'incident_id' | 'title'>;
}

/**
 * A change before its body is built, as the pipeline hands it to the notifier of its process for a row written
 * without its body: the notifier builds the body (off the pipeline's thread) when it relays the row.
 */
export type HandedChange = IncidentAsChanged | AlertAsChanged;

/** The body of a change, with the names and links of `context`. */
function changedBody(context: BodyContext, changeId: string, changed: HandedChange): WebhookBody {
  return 'alert' in changed
    ? alertBody(context, changed.event_type, changeId, changed.event_time, changed.alert, changed.incident)
    : incidentBody(context, changed.event_type, changeId, changed.event_time, changed.incident, changed.person);
}

const isAlertChange = (eventType: WebhookEventType): eventType is AlertEventType => eventType.startsWith('a_');

/** An incident change as the incident is now (in the transaction that records it); undefined when it is gone. */
async function incidentAsChanged(repos: Repos, change: Change, now: number): Promise<IncidentAsChanged | undefined> {
  const incident = change.incident_id ? await repos.incidents.currentIncident(change.incident_id) : undefined;
  if (!incident) return undefined;
  const changed: IncidentAsChanged = { event_type: change.event_type as IncidentEventType, event_time: now, incident };
  if (change.person) changed.person = change.person;
  return changed;
}

/** An alert change as the alert is now (in the transaction that records it); undefined when it is gone. */
async function alertAsChanged(repos: Repos, change: Change, now: number): Promise<AlertAsChanged | undefined> {
  const alert = change.alert_id ? await repos.deliveries.alertRow(change.alert_id) : undefined;
  if (!alert) return undefined;
  const changed: AlertAsChanged = { event_type: change.event_type as AlertEventType, event_time: now, alert };
  const incident = change.incident_id ? await repos.incidents.currentIncident(change.incident_id) : undefined;
  if (incident) changed.incident = { incident_id: incident.incident_id, title: incident.title };
  return changed;
}

/** A change as things are now, before its body is built; undefined when its incident or alert is gone. */
const asChanged = (repos: Repos, change: Change, now: number): Promise<HandedChange | undefined> =>
  isAlertChange(change.event_type) ? alertAsChanged(repos, change, now) : incidentAsChanged(repos, change, now);

export async function bodyOf(
  repos: Repos,
  outbox: Outbox,
  change: Change,
  now: number,
): Promise<WebhookBody | undefined> {
  const changed = await asChanged(repos, change, now);
  return changed && changedBody(outbox, change.change_id, changed);
}

/** The text of a handed-over change's body, built now. */
export function handedBodyText(context: BodyContext, changeId: string, handed: HandedChange): string {
  return JSON.stringify(changedBody(context, changeId, handed));
}

/** A change written to the outbox, and the receivers it is to be delivered to. */
export interface OutboxEntry {
  change_id: string;
  receivers: readonly string[];
  /** What the body is built from, when the row was written without it: handed to the notifier of this process. */
  handed?: HandedChange;
}

/** What an outbox row's body is when the body was handed over in memory instead of written. */
export const handedOverBody = '';

/**
 * Writes some changes to the outbox inside the caller's transaction (the one that records the changes): one row per
 * change that any receiver takes, naming those receivers, with the body as the change left things. The notifier
 * makes the deliveries once it has committed ({@link deliveriesOf}), and keeps the body once for all of them.
 * `deferred` (the pipeline's batches): the rows are written by the transaction's owner with the rest of its batch
 * (repos.deliveries.flushDeferred), before it commits, and without their bodies: the entries carry the changes to the
 * notifier of this process after the commit, as the incident or alert row each showed, which the notifier builds the
 * bodies from. A body is most of an outbox row's bytes and building it most of the notify stage's work; the
 * pipeline's transactions and thread are the ones that must stay short.
 */
export async function recordChanges(
  repos: Repos,
  outbox: Outbox,
  changes: readonly Change[],
  now: number,
  deferred = false,
): Promise<OutboxEntry[]> {
  const rows: NewOutboxRow[] = [];
  const entries: OutboxEntry[] = [];
  for (const change of changes) {
    const receivers = outbox.receiversOf(change.event_type, change.channel_id);
    if (!receivers) continue;
    let body: string;
    const entry: OutboxEntry = { change_id: change.change_id, receivers: receivers.ids };
    if (deferred) {
      const handed = await asChanged(repos, change, now);
      if (!handed) continue;
      entry.handed = handed;
      body = handedOverBody;
    } else {
      const found = await bodyOf(repos, outbox, change, now);
      if (!found) continue;
      body = JSON.stringify(found);
    }
    rows.push({
      change_id: change.change_id,
      event_type: change.event_type,
      channel_id: change.channel_id,
      incident_id: change.incident_id ?? null,
      alert_id: change.alert_id ?? null,
      order_key: change.incident_id ?? change.alert_id ?? change.change_id,
      receivers: receivers.json,
      body,
      created_at: now,
    });
    entries.push(entry);
  }
  if (deferred) repos.deliveries.defer(rows);
  else await repos.deliveries.insertOutbox(rows);
  return entries;
}

/**
 * The deliveries of committed outbox rows: one per (receiver, change), in the rows' order. Their ids come from the
 * receiver and the change, so relaying a row twice (two notifiers, a crash before the row was removed) makes each
 * delivery once.
 */
export function deliveriesOf(rows: readonly OutboxRow[]): NewDelivery[] {
  return rows.flatMap((row) =>
    (JSON.parse(row.receivers) as string[]).map((receiverId) => ({
      delivery_id: deliveryId(receiverId, row.change_id),
      receiver_id: receiverId,
      change_id: row.change_id,
      event_type: row.event_type,
      channel_id: row.channel_id,
      incident_id: row.incident_id,
      alert_id: row.alert_id,
      order_key: row.order_key,
      status: 'pending' as const,
      queued: 0,
      job_id: null,
      attempts: 0,
      created_at: row.created_at,
      updated_at: row.created_at,
      next_attempt_at: null,
      delivered_at: null,
      last_status_code: null,
      last_error: null,
    })),
  );
}

/** Changes recorded outside the worker's pipeline (incident actions, the auto-resolve timer): the timeline of one incident. */
export async function recordIncidentTimeline(
  repos: Repos,
  outbox: Outbox | undefined,
  incident: Pick<IncidentRow, 'incident_id' | 'channel_id' | 'storm_raised'>,
  now: number,
  newId: () => string,
): Promise<OutboxEntry[]> {
  const entries = repos.incidents.takeWritten();
  if (!outbox || outbox.webhooks.length === 0) return [];
  const base = newId();
  const changes = changesOfTimeline(
    entries,
    incident.channel_id,
    (index) => `${base}.${index}`,
    () => incident.storm_raised !== null,
  );
  return recordChanges(repos, outbox, changes, now);
}
