import { useState } from 'preact/hooks';
import { api } from '../api';
import { Badge, ErrorNote, Labels, SeverityBadge, Time, useData } from '../components';
import { formatDuration, formatTime, timelineDetail, timelineName, timeZone } from '../format';
import { useIncidentStream } from '../live';
import { navigate } from '../router';
import { EventRow } from '../trace';
import { isFlapping, isStorm, type Alert, type Incident, type StoredEvent, type TimelineEntry } from '../types';
import { IncidentActions } from './incidents';

/** One outbound delivery about the incident (its receiver, what it said, how it went). */
interface Notification {
  delivery_id: string;
  receiver_id: string;
  event_type: string;
  status: 'pending' | 'delivered' | 'dead' | 'skipped';
  attempts: number;
  created_at: number;
  delivered_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
}

interface IncidentDetail {
  incident: Incident;
  alerts: Alert[];
  timeline: TimelineEntry[];
  notifications?: Notification[];
}

/** What each delivery's status means to an on-call engineer. */
function deliveryState(notification: Notification): string {
  if (notification.status === 'delivered')
    return `delivered${notification.attempts > 1 ? ` after ${notification.attempts} attempts` : ''}`;
  if (notification.status === 'skipped') return 'not sent (the receiver takes no such message)';
  const last = notification.last_status_code ?? notification.last_error;
  if (notification.status === 'dead')
    return `gave up after ${notification.attempts} attempts${last ? ` (${last})` : ''}`;
  return notification.attempts > 0
    ? `retrying (${notification.attempts} attempts${last ? `, ${last}` : ''})`
    : 'sending';
}

function AlertEvents({ alertId }: { alertId: string }) {
  const { data, error } = useData(alertId, () =>
    api<{ alert: Alert; events: StoredEvent[] }>('GET', `/alerts/${encodeURIComponent(alertId)}`),
  );
  if (error) return <ErrorNote error={error} />;
  if (!data) return <p class="loading">Loading events…</p>;
  return (
    <ul class="event-list" aria-label={`Events of alert ${alertId}`}>
      {data.events.map((event, i) => (
        <EventRow key={event.event_id} event={event} showAlert={false} initiallyOpen={i === data.events.length - 1} />
      ))}
    </ul>
  );
}

function AlertItem({ alert }: { alert: Alert }) {
  const [open, setOpen] = useState(false);
  const silence = () =>
    navigate(`/silences?channel=${encodeURIComponent(alert.channel_id)}&alert=${encodeURIComponent(alert.alert_id)}`);
  return (
    <li class="alert-item">
      <div class="alert-head">
        <SeverityBadge severity={alert.alert_severity} />
        <div class="incident-main">
          <strong>{alert.title}</strong>
          <div class="meta">
            <span>{alert.alert_status === 'Ok' ? 'Recovered' : alert.progress === 'Closed' ? 'Closed' : 'Firing'}</span>
            <span>
              {alert.event_cnt} event{alert.event_cnt === 1 ? '' : 's'}
            </span>
            <span>
              first seen <Time ms={alert.start_time} />
            </span>
            <span>
              last seen <Time ms={alert.last_time} />
            </span>
            <span class="mono">{alert.alert_key}</span>
          </div>
          <Labels labels={alert.labels} />
        </div>
        <span class="actions">
          <button type="button" class="secondary" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? 'Hide events' : 'Events & trace'}
          </button>
          <button type="button" class="secondary" onClick={silence}>
            Quick silence…
          </button>
        </span>
      </div>
      {open && <AlertEvents alertId={alert.alert_id} />}
    </li>
  );
}

/** Page 2: one incident: its facts, alerts with their events and traces, and its timeline. */
export function IncidentPage({ id }: { id: string }) {
  const { data, error, reload } = useData(id, () => api<IncidentDetail>('GET', `/incidents/${encodeURIComponent(id)}`));
  useIncidentStream((ids) => {
    if (ids.includes(id)) reload();
  });
  if (error) return <ErrorNote error={error} />;
  if (!data) return <p class="loading">Loading…</p>;
  const { incident, alerts, timeline } = data;
  const notifications = data.notifications ?? [];
  const end = incident.close_time ?? incident.end_time;
  return (
    <section>
      <p class="crumbs">
        <a
          href="/incidents"
          onClick={(e) => {
            e.preventDefault();
            navigate('/incidents');
          }}
        >
          ← Incidents
        </a>
      </p>
      <div class="page-head">
        <SeverityBadge severity={incident.incident_severity} />
        <h1>{incident.title}</h1>
        {isStorm(incident) && <Badge kind="storm">Storm</Badge>}
        {isFlapping(incident) && <Badge kind="flapping">Flapping</Badge>}
      </div>
      <IncidentActions incident={incident} onDone={reload} />
      {incident.description && <p class="description">{incident.description}</p>}
      <dl class="facts">
        <dt>Progress</dt>
        <dd>{incident.progress === 'Processing' ? 'Acknowledged' : incident.progress}</dd>
        <dt>Status</dt>
        <dd>{incident.incident_status}</dd>
        <dt>Channel</dt>
        <dd>{incident.channel_id}</dd>
        <dt>Started</dt>
        <dd>{formatTime(incident.start_time)}</dd>
        <dt>{end ? 'Lasted' : 'Open for'}</dt>
        <dd>{formatDuration((end ?? Date.now()) - incident.start_time)}</dd>
        {incident.ack_time && (
          <>
            <dt>Acknowledged</dt>
            <dd>
              {formatTime(incident.ack_time)} ({formatDuration(incident.ack_time - incident.start_time)} after start)
            </dd>
          </>
        )}
        {end && (
          <>
            <dt>Ended</dt>
            <dd>{formatTime(end)}</dd>
          </>
        )}
        <dt>Grouping</dt>
        <dd>{incident.group_method}</dd>
        <dt>Time zone</dt>
        <dd>{timeZone}</dd>
        <dt>Labels</dt>
        <dd>
          <Labels labels={incident.labels} />
        </dd>
      </dl>
      <h2>Alerts ({alerts.length})</h2>
      <ul class="alert-list">
        {alerts.map((alert) => (
          <AlertItem key={alert.alert_id} alert={alert} />
        ))}
      </ul>
      <h2>Timeline</h2>
      <ol class="timeline">
        {timeline.map((entry) => (
          <li key={entry.id}>
            <time dateTime={new Date(entry.at).toISOString()}>{formatTime(entry.at)}</time>
            <strong>{timelineName(entry.type)}</strong>
            {entry.actor && <span> by {entry.actor}</span>}
            {entry.alert_id && <span class="mono"> alert {entry.alert_id}</span>}
            {timelineDetail(entry.detail) && <span class="muted"> — {timelineDetail(entry.detail)}</span>}
          </li>
        ))}
      </ol>
      <h2>Notifications ({notifications.length})</h2>
      {notifications.length === 0 ? (
        <p class="muted">Nothing was sent about this incident (no webhook receiver takes its changes).</p>
      ) : (
        <ol class="timeline" aria-label="Notifications sent">
          {notifications.map((notification) => (
            <li key={notification.delivery_id}>
              <time dateTime={new Date(notification.created_at).toISOString()}>
                {formatTime(notification.created_at)}
              </time>
              <strong>{timelineName(notification.event_type)}</strong>
              <span> to {notification.receiver_id}</span>
              <span class={`delivery-${notification.status}`}> — {deliveryState(notification)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
