import { derivedEventId } from '../events/ids.js';
import type { Heartbeat, Integration } from '../config/types.js';
import type { QueuedEvent } from '../events/types.js';

/*
 * When a heartbeat is due and what it sends, as pure functions of its settings and stored state. A heartbeat is
 * missed when no ping came within interval + grace of the last one (or of when checks began). Each missed period
 * sends one Critical standard event whose event_id is derived from the heartbeat and the period's deadline, so
 * however many workers or redeliveries handle that deadline, the worker stores the event once.
 */

/** What a heartbeat's stored state says. */
export interface HeartbeatState {
  since: number;
  last_ping_at: number | null;
  last_missed_at: number | null;
}

/** The integration id of the alerts a heartbeat raises (a colon: no configured integration can have it). */
export function heartbeatIntegrationId(heartbeatId: string): string {
  return `heartbeat:${heartbeatId}`;
}

/** The alert_key of a heartbeat's alert. */
export function heartbeatAlertKey(heartbeatId: string): string {
  return `heartbeat:${heartbeatId}`;
}

/** The integration the worker routes a heartbeat's events through: dedicated to the heartbeat's channel. */
export function heartbeatIntegration(heartbeat: Heartbeat): Integration {
  return {
    id: heartbeatIntegrationId(heartbeat.id),
    name: heartbeat.name,
    adapter: 'heartbeat',
    key: heartbeat.key,
    channelId: heartbeat.channelId,
    enrich: [],
    pipeline: [],
    enabled: heartbeat.enabled,
    rateLimit: { perSecond: 100, perMinute: 1000 },
  };
}

/** The time by which the next ping must come: interval + grace after the last ping, or after checks began. */
export function deadlineOf(heartbeat: Heartbeat, state: HeartbeatState): number {
  return Math.max(state.last_ping_at ?? state.since, state.since) + heartbeat.intervalMs + heartbeat.graceMs;
}

/** After a missed deadline, the next check: one interval later, skipping the periods that passed meanwhile. */
export function nextCheckAfterMiss(heartbeat: Heartbeat, missedAt: number, now: number): number {
  const periods = Math.max(1, Math.floor((now - missedAt) / heartbeat.intervalMs) + 1);
  return missedAt + periods * heartbeat.intervalMs;
}

/**
 * Whether a ping must send the recovery (`Ok`): the heartbeat was overdue by the time the ping is applied (a check
 * may have raised the alert), or a miss was recorded after the previous ping.
 */
export function pingRecovers(heartbeat: Heartbeat, before: HeartbeatState, now: number): boolean {
  const missedSincePing = before.last_missed_at !== null && before.last_missed_at > (before.last_ping_at ?? -1);
  return missedSincePing || deadlineOf(heartbeat, before) <= now;
}

function heartbeatEvent(
  heartbeat: Heartbeat,
  fields: Pick<QueuedEvent, 'event_status' | 'title' | 'description' | 'event_id' | 'event_time'>,
  receivedAt: number,
): QueuedEvent {
  const alertKey = heartbeatAlertKey(heartbeat.id);
  return {
    ...fields,
    title_rule: fields.title,
    alert_key: alertKey,
    alert_key_derived: false,
    labels: { ...heartbeat.labels, heartbeat: heartbeat.id },
    request_id: fields.event_id,
    integration_id: heartbeatIntegrationId(heartbeat.id),
    integration_type: 'heartbeat',
    received_at: receivedAt,
    seq: 0,
  };
}

const durationText = (ms: number): string =>
  ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : `${ms / 1000}s`;

/**
 * The Critical event of the period whose deadline was `dueAt`: the same id and fields for every worker that handles
 * it; `receivedAt` (when the check fired) only feeds the latency metric.
 */
export function missedEvent(heartbeat: Heartbeat, dueAt: number, receivedAt = dueAt): QueuedEvent {
  const within = `${durationText(heartbeat.intervalMs)}${heartbeat.graceMs > 0 ? ` + ${durationText(heartbeat.graceMs)} grace` : ''}`;
  return heartbeatEvent(
    heartbeat,
    {
      event_status: 'Critical',
      title: `Heartbeat missed: ${heartbeat.name}`,
      description: `No ping of heartbeat ${heartbeat.id} within ${within}.`,
      event_id: derivedEventId(dueAt, `missed\n${heartbeat.id}\n${dueAt}`),
      event_time: dueAt,
    },
    receivedAt,
  );
}

/** The Ok event a ping at `pingAt` sends; its id is time-ordered at `now`, after any miss raised until then. */
export function recoveredEvent(heartbeat: Heartbeat, pingAt: number, now: number): QueuedEvent {
  return heartbeatEvent(
    heartbeat,
    {
      event_status: 'Ok',
      title: `Heartbeat missed: ${heartbeat.name}`,
      description: `Heartbeat ${heartbeat.id} pinged again.`,
      event_id: derivedEventId(now, `recovered\n${heartbeat.id}\n${pingAt}\n${now}`),
      event_time: pingAt,
    },
    now,
  );
}

/** Whether an event of the heartbeat's integration counts as its ping: every `match` label has that value. */
export function eventPings(heartbeat: Heartbeat, event: Pick<QueuedEvent, 'integration_id' | 'labels'>): boolean {
  if (heartbeat.integrationId !== event.integration_id) return false;
  return Object.entries(heartbeat.match).every(([name, value]) => event.labels[name] === value);
}
