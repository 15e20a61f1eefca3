/** A channel's auto-resolve timeout: close an incident `afterMs` after its trigger or its last merge. */
export interface AutoResolveSettings {
  afterMs: number;
  from: 'trigger' | 'last-merge';
}

/** The incident times the timeout counts from. */
export interface AutoResolveAnchors {
  /** When the incident triggered. */
  start_time: number;
  /** When an alert last merged into it (its trigger until then). */
  last_time: number;
}

/** When an incident is due to close by itself under `settings` (ms since the epoch). */
export function autoResolveDueAt(incident: AutoResolveAnchors, settings: AutoResolveSettings): number {
  const anchor =
    settings.from === 'last-merge' ? Math.max(incident.last_time, incident.start_time) : incident.start_time;
  return anchor + settings.afterMs;
}
