/*
 * Which changes may explain an incident (pure). A change is a candidate when it was under way in the window before
 * the incident started (started by then, its latest event no earlier than start − window) and shares at least one
 * label value with the incident (same label name, same value: service, cluster, resource, host, env, app, …).
 * Most relevant first: more shared label values, then the change closest to the incident's start, then the newest id.
 */

/** What the scoring reads of a change. */
export interface CorrelationCandidate {
  change_id: string;
  labels: Record<string, string>;
  start_time: number;
  last_time: number;
}

/** What the scoring reads of an incident. */
export interface CorrelationTarget {
  labels: Record<string, string>;
  start_time: number;
}

/** A candidate with why it is listed: the names of the labels it shares and its score (their number). */
export type Correlated<T> = T & { shared_labels: string[]; score: number };

/** The names of the labels both carry with the same value, sorted. */
export function sharedLabels(a: Record<string, string>, b: Record<string, string>): string[] {
  return Object.keys(a)
    .filter((name) => Object.hasOwn(b, name) && b[name] === a[name])
    .sort();
}

/** The candidates that share a label value with the incident within the window, most relevant first. */
export function rankChanges<T extends CorrelationCandidate>(
  incident: CorrelationTarget,
  changes: readonly T[],
  windowMs: number,
): Array<Correlated<T>> {
  const from = incident.start_time - windowMs;
  const ranked: Array<Correlated<T> & { distance: number }> = [];
  for (const change of changes) {
    if (change.start_time > incident.start_time || change.last_time < from) continue;
    const shared = sharedLabels(incident.labels, change.labels);
    if (shared.length === 0) continue;
    const distance = incident.start_time - Math.min(change.last_time, incident.start_time);
    ranked.push({ ...change, shared_labels: shared, score: shared.length, distance });
  }
  ranked.sort(
    (a, b) =>
      b.score - a.score ||
      a.distance - b.distance ||
      (a.change_id < b.change_id ? 1 : a.change_id > b.change_id ? -1 : 0),
  );
  return ranked.map(({ distance: _distance, ...change }) => change as Correlated<T>);
}
