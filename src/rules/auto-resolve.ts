/** A channel's auto-resolve timeout: close an incident `afterMs` after its trigger or its last merge. */
export interface AutoResolveSettings {
  afterMs: number;
  from: 'trigger' | 'last-merge';
}

/**
 * The incident times the timeout counts from, on alertgate's clock: an incident's start_time is its first alert's
 * (the source's time, possibly hours earlier for a replayed backlog), so the timeout counts from its creation.
 */
export interface AutoResolveAnchors {
  /** When the incident was opened. */
  created_at: number;
  /** When an alert last merged into it (its opening until then). */
  last_time: number;
}

/** When an incident is due to close by itself under `settings` (ms since the epoch). */
export function autoResolveDueAt(incident: AutoResolveAnchors, settings: AutoResolveSettings): number {
  const anchor =
    settings.from === 'last-merge' ? Math.max(incident.last_time, incident.created_at) : incident.created_at;
  return anchor + settings.afterMs;
}
