import { counted } from '../counted.js';
import type { TraceStep } from '../worker/trace.js';
import type { DryRunStop } from './summary.js';
import type { DryRunReport } from './run.js';

/** Columns padded to their widest cell. */
function table(rows: readonly string[][]): string[] {
  const widths = rows[0].map((_cell, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]))
      .join('  ')
      .trimEnd(),
  );
}

/** `step: result key=value …`, details in the order the worker wrote them. */
function formatStep(step: TraceStep): string {
  const details = Object.entries(step)
    .filter(
      ([key, value]) => key !== 'step' && key !== 'result' && value !== undefined && value !== null && value !== '',
    )
    .map(
      ([key, value]) =>
        `${key}=${typeof value === 'string' && /\s/.test(value) ? JSON.stringify(value) : String(value)}`,
    );
  return [`${step.step}: ${step.result}`, ...details].join(' ');
}

function formatStops(label: string, stops: readonly DryRunStop[]): string[] {
  return stops.map(
    (stop) =>
      `  ${label}: event ${stop.index} ${stop.alert_key}, ${stop.step} ${stop.result}${stop.rule_id ? ` by ${stop.rule_id}` : ''}${stop.reason ? ` (${stop.reason})` : ''}`,
  );
}

/**
 * A dry run as text: one line per event (incidents numbered #1, #2… in order of appearance, since their ids are
 * provisional), the incidents, what was stopped and by which rule, then every event's trace.
 */
export function formatDryRunReport(report: DryRunReport): string[] {
  const numbers = new Map(report.summary.incidents.map((incident, i) => [incident.incident_id, `#${i + 1}`]));
  const incidentCell = (id: string | null) => (id === null ? '-' : (numbers.get(id) ?? id));
  const rows = [
    ['event', 'integration', 'alert_key', 'status', 'outcome', 'channel', 'incident'],
    ...report.events.map((event) => [
      String(event.index),
      event.integration_id,
      event.alert_key,
      event.event_status,
      event.outcome,
      event.channel_id ?? '-',
      incidentCell(event.incident_id),
    ]),
  ];
  const { summary } = report;
  const lines = [...table(rows), ''];
  lines.push(`Incidents: ${summary.incidents_opened} would open, ${summary.incidents_updated} existing would change`);
  for (const incident of summary.incidents) {
    const what = incident.opened ? 'new' : 'existing';
    lines.push(
      `  ${incidentCell(incident.incident_id)} ${what} [${incident.severity}] ${JSON.stringify(incident.title)} in ${incident.channel_id}: ${counted(incident.alert_cnt, 'alert')}, keys ${incident.alert_keys.join(', ')} (events ${incident.event_indexes.join(', ')})`,
    );
  }
  const stops = [
    ...formatStops('dropped', summary.dropped),
    ...formatStops('silenced', summary.silenced),
    ...formatStops('inhibited', summary.inhibited),
    ...formatStops('rejected', summary.rejected),
  ];
  if (stops.length > 0) lines.push('Stopped:', ...stops);
  lines.push('', 'Traces:');
  for (const event of report.events) {
    lines.push(`  event ${event.index} ${event.alert_key} (${event.title})`);
    for (const step of event.trace) lines.push(`    ${formatStep(step)}`);
  }
  return lines;
}
