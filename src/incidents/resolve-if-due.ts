import type { Channel } from '../config/types.js';
import { autoResolveDueAt } from '../rules/auto-resolve.js';
import type { StoreDatabase } from '../store/database.js';
import { bindRepos } from '../store/repos.js';
import { inTransaction } from '../store/transaction.js';
import { closeIncident } from './lifecycle.js';
import { newId } from '../events/ids.js';
import { recordIncidentTimeline, type Outbox } from '../notify/outbox.js';
import type { OutboxEntry } from '../notify/outbox.js';

/** What an auto-resolve timer found: closed it, not due yet (check again at `dueAt`), or nothing to do. */
export type AutoResolveVerdict =
  | { kind: 'closed'; deliveries: OutboxEntry[] }
  | { kind: 'later'; dueAt: number }
  | { kind: 'skipped'; reason: 'no such incident' | 'already closed' | 'reopened' | 'channel has no auto_resolve' };

/**
 * Closes an incident whose auto-resolve timeout has passed, in one transaction with the incident locked, so a
 * timer fired twice (several workers, a redelivered job) closes it once. The channel's current settings decide:
 * an incident that closed before, was reopened, or whose channel no longer auto-resolves is left as it is.
 */
export async function resolveIfDue(
  store: StoreDatabase,
  incidentId: string,
  channels: ReadonlyMap<string, Channel>,
  now: number,
  outbox?: Outbox,
): Promise<AutoResolveVerdict> {
  return inTransaction(store, async (trx) => {
    const repos = bindRepos(trx, store.dialect);
    const incident = await repos.incidents.lockIncident(incidentId);
    if (!incident) return { kind: 'skipped', reason: 'no such incident' };
    if (incident.progress === 'Closed') return { kind: 'skipped', reason: 'already closed' };
    const settings = channels.get(incident.channel_id)?.rules.autoResolve;
    if (!settings) return { kind: 'skipped', reason: 'channel has no auto_resolve' };
    // Whoever reopens an incident takes it over from the timeout.
    if (await repos.incidents.wasReopened(incidentId)) return { kind: 'skipped', reason: 'reopened' };
    const dueAt = autoResolveDueAt(incident, settings);
    if (dueAt > now) return { kind: 'later', dueAt };
    await closeIncident(repos, incident, now, {
      timeline: 'i_rslv',
      actor: null,
      detail: { from: 'autorslv', after_ms: settings.afterMs, counted_from: settings.from },
      ends: true,
    });
    const deliveries = await recordIncidentTimeline(repos, outbox, incident, now, newId);
    return { kind: 'closed', deliveries };
  });
}
