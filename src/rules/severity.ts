import { severityRank, type Severity } from '../events/types.js';

/** The highest severity of a list (Info when empty): an alert's severity over its events, an incident's over its alerts. */
export function highestSeverity(list: readonly Severity[]): Severity {
  return list.reduce<Severity>((best, next) => (severityRank[next] > severityRank[best] ? next : best), 'Info');
}
