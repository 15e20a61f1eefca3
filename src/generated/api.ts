// Generated from schemas/api.schema.json by scripts/schema-types.mjs (npm run build). Edit the schema, not this file.

/** Options of a quick silence from an alert; every field is optional. */
export interface QuickSilence {
  /** How long the silence lasts (30m, 1h, 1d, 1w). */
  duration?: string;
  /** mark: keep the events, marked silenced; drop: discard them. */
  mode?: 'mark' | 'drop';
  name?: string;
  /** Who creates it. */
  actor?: string;
  /** Why it was made. */
  comment?: string;
  /** true: answer the silence and the open alerts it would match, save nothing (same as ?preview=1). */
  dry_run?: boolean;
}

/** The type of each definition of schemas/api.schema.json, by its name there. */
export interface Definitions {
  quick_silence: QuickSilence;
}
