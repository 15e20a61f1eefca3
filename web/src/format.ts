/* How the console writes times, durations and the worker's decisions for people. */

export const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
});

/** A date and time in the browser's time zone, with the zone's name. */
export function formatTime(ms: number | null | undefined): string {
  return typeof ms === 'number' ? dateTime.format(new Date(ms)) : '—';
}

/** A duration in the two largest human units: `2 h 5 min`, `3 d 4 h`, `42 s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const units: Array<[string, number]> = [
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = seconds;
  for (const [name, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0 || (parts.length === 0 && size === 1)) parts.push(`${count} ${name}`);
    rest -= count * size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** `5 min ago`, or `in 3 h` for a time ahead. */
export function formatAgo(ms: number | null | undefined, now = Date.now()): string {
  if (typeof ms !== 'number') return '—';
  return ms <= now ? `${formatDuration(now - ms)} ago` : `in ${formatDuration(ms - now)}`;
}

export type TraceStep = { step: string; result: string } & Record<string, unknown>;

const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));

function dimensions(value: unknown): string {
  try {
    const parsed = typeof value === 'string' ? (JSON.parse(value) as Record<string, string>) : {};
    const pairs = Object.entries(parsed).map(([key, v]) => `${key} = ${v}`);
    return pairs.length > 0 ? pairs.join(', ') : '';
  } catch {
    return '';
  }
}

function incidentSentence(step: TraceStep): string {
  const incident = text(step.incident_id);
  const why = dimensions(step.dimensions);
  const method = text(step.method);
  switch (step.result) {
    case 'incident_opened':
      return `Opened incident ${incident}${why ? ` for ${why}` : ''}${step.reason ? ` (${text(step.reason)})` : ''}.`;
    case 'merged_into_incident':
      return `Grouped into incident ${incident} because ${why || `its grouping key matched (${method})`}${
        step.score !== undefined ? `, similarity ${text(step.score)}` : ''
      }.`;
    case 'incident_recovered':
      return `Incident ${incident} recovered: none of its alerts is firing.`;
    case 'incident_closed':
      return `Incident ${incident} closed.`;
    case 'incident_updated':
      return `Incident ${incident} updated: severity ${text(step.severity)}, status ${text(step.status)}.`;
    default:
      return `Incident ${incident}: ${step.result.replace(/_/g, ' ')}.`;
  }
}

function mergeSentence(step: TraceStep): string {
  const alert = text(step.alert_id);
  switch (step.result) {
    case 'new_alert':
      return `Opened a new alert ${alert}.`;
    case 'duplicate':
      return `Duplicate of alert ${alert}: ${text(step.reason) || 'nothing changed'}.`;
    case 'labels_updated':
      return `Updated the labels of alert ${alert}.`;
    case 'recovered':
      return `Recovered alert ${alert}.`;
    case 'ignored':
      return `Ignored: ${text(step.reason)}.`;
    default:
      return `Merged into alert ${alert}${step.status ? ` (status ${text(step.status)})` : ''}.`;
  }
}

/** One trace step as a sentence: what the worker decided and why. */
export function traceSentence(step: TraceStep): string {
  const rule = text(step.rule_id);
  switch (step.step) {
    case 'idempotency':
      return 'Already stored: a redelivered event changed nothing.';
    case 'enrich':
      return `Labels set by enrichment rules ${text(step.rule_ids)}.`;
    case 'pipeline':
      if (step.result === 'dropped') return `Dropped by integration pipeline rule ${rule}.`;
      if (step.result === 'inhibited') return `Inhibited by integration pipeline rule ${rule}.`;
      return `Rewritten by integration pipeline rules ${text(step.rule_ids)}.`;
    case 'route':
      if (step.result === 'rejected') return `Not routed: ${text(step.reason)}.`;
      if (step.result === 'channel') return `Routed to channel ${text(step.channel_id)} (${text(step.reason)}).`;
      return `Routed to channels ${text(step.channels)}${step.matched_cases ? ` by routes ${text(step.matched_cases)}` : ''}${
        step.default_route ? ' (default route)' : ''
      }.`;
    case 'drop':
      return `Dropped by drop rule ${rule} of channel ${text(step.channel_id)}.`;
    case 'order':
      return `Late: ${text(step.reason)}.`;
    case 'merge':
      return mergeSentence(step);
    case 'silence':
      return step.result === 'dropped'
        ? `Dropped by silence ${rule}.`
        : `Silenced by ${rule}: kept, marked, no incident.`;
    case 'inhibit':
      return `${step.result === 'dropped' ? 'Dropped' : 'Inhibited'} by inhibition ${rule}${
        step.source_alert_id ? ` (source alert ${text(step.source_alert_id)})` : ''
      }.`;
    case 'flapping':
      return step.result === 'silenced'
        ? `Silenced: ${text(step.reason)}${typeof step.muted_until === 'number' ? ` until ${formatTime(step.muted_until)}` : ''}.`
        : `Flapping: ${text(step.changes)} status changes in ${text(step.in_mins)} min.`;
    case 'incident':
      return incidentSentence(step);
    default:
      return `${step.step}: ${step.result.replace(/_/g, ' ')}.`;
  }
}

const timelineNames: Record<string, string> = {
  i_new: 'Opened',
  a_merge: 'Alert merged',
  i_ack: 'Acknowledged',
  i_unack: 'Acknowledgement withdrawn',
  i_rslv: 'Resolved',
  i_close: 'Closed',
  i_recover: 'Recovered',
  i_reopen: 'Reopened',
  i_storm: 'Alert storm',
  i_m_flapping: 'Flapping',
  i_repeat: 'Reminder',
  a_new: 'New alert',
  a_update: 'Alert updated',
  a_close: 'Alert closed',
};

/** A timeline entry's type in words (Flashduty's codes otherwise as they are). */
export function timelineName(type: string): string {
  return timelineNames[type] ?? type.replace(/_/g, ' ');
}

/** The detail of a timeline entry as short text. */
export function timelineDetail(detail: unknown): string {
  if (detail === null || detail === undefined) return '';
  if (typeof detail !== 'object') return String(detail);
  return Object.entries(detail as Record<string, unknown>)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(
      ([key, value]) =>
        `${key.replace(/_/g, ' ')}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
    )
    .join(' · ');
}
