import { useState } from 'preact/hooks';
import { api } from './api';
import { Badge, ErrorNote, Labels, Time } from './components';
import { traceSentence } from './format';
import type { StoredEvent } from './types';

/** An event's trace as numbered sentences: every decision the worker took, in order. */
export function TraceSteps({ trace }: { trace: StoredEvent['trace'] }) {
  if (!Array.isArray(trace) || trace.length === 0) return <p class="muted">No trace recorded.</p>;
  return (
    <ol class="trace">
      {trace.map((step, i) => (
        <li key={i}>
          <span class="step-name">{step.step}</span> {traceSentence(step)}
        </li>
      ))}
    </ol>
  );
}

/** An event as a row that opens to its labels and trace. */
export function EventRow({
  event,
  showAlert = true,
  initiallyOpen = false,
}: {
  event: StoredEvent;
  showAlert?: boolean;
  initiallyOpen?: boolean;
}) {
  const [open, setOpen] = useState(initiallyOpen);
  const [full, setFull] = useState<StoredEvent | undefined>();
  const [error, setError] = useState<unknown>();
  const toggle = async () => {
    setOpen(!open);
    if (!open && !full && !Array.isArray(event.trace)) {
      await api<StoredEvent>('GET', `/events/${encodeURIComponent(event.event_id)}`).then(setFull, setError);
    }
  };
  const shown = full ?? event;
  return (
    <li class="event-row">
      <button type="button" class="event-summary" aria-expanded={open} onClick={toggle}>
        <Badge kind={`outcome outcome-${event.outcome}`}>{event.outcome.replace(/_/g, ' ')}</Badge>
        <span class="event-title">{event.title}</span>
        <span class="meta">
          <span>{event.event_status}</span>
          <span>{event.integration_id}</span>
          {showAlert && <span class="mono">{event.alert_key}</span>}
          <Time ms={event.received_at} />
        </span>
      </button>
      {open && (
        <div class="event-detail">
          <ErrorNote error={error} />
          <dl class="facts">
            <dt>Event</dt>
            <dd class="mono">{event.event_id}</dd>
            <dt>Request</dt>
            <dd class="mono">{event.request_id}</dd>
            <dt>Alert key</dt>
            <dd class="mono">{event.alert_key}</dd>
            {event.incident_id && (
              <>
                <dt>Incident</dt>
                <dd>
                  <a href={`/incidents/${encodeURIComponent(event.incident_id)}`}>{event.incident_id}</a>
                </dd>
              </>
            )}
            <dt>Labels</dt>
            <dd>
              <Labels labels={shown.labels} />
            </dd>
          </dl>
          <h4>What happened</h4>
          <TraceSteps trace={shown.trace} />
        </div>
      )}
    </li>
  );
}
