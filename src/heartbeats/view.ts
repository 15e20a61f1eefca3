import type { Heartbeat } from '../config/types.js';
import type { HeartbeatRow } from '../store/heartbeats-repo.js';
import { deadlineOf, heartbeatIntegrationId } from './schedule.js';

/**
 * A heartbeat as the API shows it. `status`: `disabled`; `pending` (no worker has started checking it yet);
 * `waiting` (checked, never pinged, not yet due); `up` (pinged, next ping not yet due); `missed` (overdue).
 */
export function heartbeatView(heartbeat: Heartbeat, state: HeartbeatRow | undefined, publicUrl: string, now: number) {
  const deadline = state && deadlineOf(heartbeat, state);
  const status = !heartbeat.enabled
    ? 'disabled'
    : state === undefined || deadline === undefined
      ? 'pending'
      : deadline <= now
        ? 'missed'
        : state.last_ping_at === null
          ? 'waiting'
          : 'up';
  return {
    id: heartbeat.id,
    name: heartbeat.name,
    channel_id: heartbeat.channelId,
    interval_ms: heartbeat.intervalMs,
    grace_ms: heartbeat.graceMs,
    labels: heartbeat.labels,
    integration_id: heartbeat.integrationId ?? null,
    match: heartbeat.match,
    enabled: heartbeat.enabled,
    ping_url: `${publicUrl}/heartbeat/${heartbeat.id}?integration_key=${encodeURIComponent(heartbeat.key)}`,
    alert_integration_id: heartbeatIntegrationId(heartbeat.id),
    status,
    since: state?.since ?? null,
    last_ping_at: state?.last_ping_at ?? null,
    next_deadline: deadline ?? null,
    last_missed_at: state?.last_missed_at ?? null,
    missed_cnt: state?.missed_cnt ?? 0,
  };
}
