import type { IncidentsRepo } from '../store/incidents-repo.js';
import type { EventOutcome, TraceStep } from '../worker/trace.js';

/** What one event of a dry run would do. Ids of new alerts and incidents are provisional: nothing is kept. */
export interface DryRunEventResult {
  index: number;
  source: 'events' | 'last';
  /** `last`: the stored event replayed. */
  replayed_event_id: string | null;
  integration_id: string;
  alert_key: string;
  title: string;
  event_status: string;
  outcome: EventOutcome;
  channel_id: string | null;
  alert_id: string | null;
  incident_id: string | null;
  trace: TraceStep[];
}

/** An incident the dry run would open, or an existing one it would change (merge an alert into, recover, …). */
export interface DryRunIncident {
  incident_id: string;
  channel_id: string;
  title: string;
  severity: string;
  status: string;
  /** True: opened by the dry run; false: an incident that exists now. */
  opened: boolean;
  alert_cnt: number;
  /** Alert keys of the dry run's events that landed in it, and those events' indexes. */
  alert_keys: string[];
  event_indexes: number[];
}

/** Why an event would not trigger: the step and rule that decided it. */
export interface DryRunStop {
  index: number;
  alert_key: string;
  step: TraceStep['step'];
  result: string;
  rule_id: string | null;
  reason: string | null;
}

/** The dry run in a few lines: counts by outcome, incidents, and what was dropped, silenced, inhibited or rejected. */
export interface DryRunSummary {
  events: number;
  outcomes: Partial<Record<EventOutcome, number>>;
  incidents_opened: number;
  /** Existing incidents it would change. */
  incidents_updated: number;
  incidents: DryRunIncident[];
  dropped: DryRunStop[];
  silenced: DryRunStop[];
  inhibited: DryRunStop[];
  rejected: DryRunStop[];
}

const stoppingSteps = new Set<TraceStep['step']>(['drop', 'pipeline', 'silence', 'inhibit', 'flapping', 'route']);

function stopOf(result: DryRunEventResult): DryRunStop {
  const step =
    [...result.trace].reverse().find((candidate) => stoppingSteps.has(candidate.step)) ??
    result.trace[result.trace.length - 1];
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  return {
    index: result.index,
    alert_key: result.alert_key,
    step: step?.step ?? 'route',
    result: step?.result ?? result.outcome,
    rule_id: text(step?.rule_id),
    reason: text(step?.reason),
  };
}

/** Incident ids an event touched in any channel, with whether it opened them. */
function touchedIncidents(result: DryRunEventResult): Map<string, boolean> {
  const touched = new Map<string, boolean>();
  for (const step of result.trace) {
    if (step.step !== 'incident' || typeof step.incident_id !== 'string') continue;
    touched.set(step.incident_id, (touched.get(step.incident_id) ?? false) || step.result === 'incident_opened');
  }
  if (result.incident_id && !touched.has(result.incident_id)) touched.set(result.incident_id, false);
  return touched;
}

/** Summarises the results; reads the touched incidents inside the dry run's transaction (before it is rolled back). */
export async function summariseDryRun(
  repo: IncidentsRepo,
  results: readonly DryRunEventResult[],
): Promise<DryRunSummary> {
  const outcomes: Partial<Record<EventOutcome, number>> = {};
  const incidents = new Map<string, { opened: boolean; keys: Set<string>; indexes: number[] }>();
  for (const result of results) {
    outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
    for (const [id, opened] of touchedIncidents(result)) {
      const entry = incidents.get(id) ?? { opened: false, keys: new Set<string>(), indexes: [] };
      entry.opened ||= opened;
      entry.keys.add(result.alert_key);
      entry.indexes.push(result.index);
      incidents.set(id, entry);
    }
  }
  const ids = [...incidents.keys()];
  const rows = await repo.incidentSummaries(ids);
  const listed: DryRunIncident[] = rows.map((row) => {
    const entry = incidents.get(row.incident_id) as { opened: boolean; keys: Set<string>; indexes: number[] };
    return {
      incident_id: row.incident_id,
      channel_id: row.channel_id,
      title: row.title,
      severity: row.incident_severity,
      status: row.incident_status,
      opened: entry.opened,
      alert_cnt: row.alert_cnt,
      alert_keys: [...entry.keys],
      event_indexes: [...new Set(entry.indexes)],
    };
  });
  listed.sort((a, b) => a.event_indexes[0] - b.event_indexes[0]);
  const stopped = (outcome: EventOutcome) => results.filter((result) => result.outcome === outcome).map(stopOf);
  return {
    events: results.length,
    outcomes,
    incidents_opened: listed.filter((incident) => incident.opened).length,
    incidents_updated: listed.filter((incident) => !incident.opened).length,
    incidents: listed,
    dropped: stopped('dropped'),
    silenced: stopped('silenced'),
    inhibited: stopped('inhibited'),
    rejected: stopped('rejected'),
  };
}
