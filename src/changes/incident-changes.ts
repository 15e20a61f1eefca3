import type { Kysely } from 'kysely';
import { changesSharingLabels, type ChangeView } from '../store/changes-repo.js';
import type { Database } from '../store/tables.js';
import { rankChanges, type Correlated } from './correlate.js';

/** Most changes listed with an incident. */
export const maxChangesPerIncident = 20;

/** The changes that may explain an incident, most relevant first (see correlate.ts), at most 20. */
export async function changesForIncident(
  db: Kysely<Database>,
  incident: { labels: unknown; start_time: number },
  windowMs: number,
): Promise<Array<Correlated<ChangeView>>> {
  const labels = (incident.labels ?? {}) as Record<string, string>;
  const candidates = await changesSharingLabels(db, labels, incident.start_time - windowMs, incident.start_time);
  return rankChanges({ labels, start_time: incident.start_time }, candidates, windowMs).slice(0, maxChangesPerIncident);
}
