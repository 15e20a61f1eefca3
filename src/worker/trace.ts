/** One decision taken about an event: which step, what it decided, and the ids that explain it. */
export interface TraceStep {
  step:
    | 'idempotency'
    | 'time'
    | 'enrich'
    | 'pipeline'
    | 'route'
    | 'drop'
    | 'order'
    | 'merge'
    | 'silence'
    | 'inhibit'
    | 'flapping'
    | 'incident'
    | 'notify';
  result: string;
  [detail: string]: string | number | boolean | null | undefined;
}

/**
 * Every outcome the worker records, the one list the API's filters and the console's choices read (the console
 * imports it; nothing else here reaches the browser bundle).
 */
export const eventOutcomes = [
  'new_alert',
  'merged',
  'recovered',
  'labels_updated',
  'duplicate',
  'ignored',
  'late',
  'dropped',
  'silenced',
  'inhibited',
  'rejected',
] as const;

/** What happened to an event, in one word (also the integration's outcome counters). */
export type EventOutcome = (typeof eventOutcomes)[number];
