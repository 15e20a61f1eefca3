/**
 * Rule shapes as written in alertgate.yaml; each matches a definition of schemas/rules.schema.json
 * (test/rules/rules-schema.test.ts proves the key sets agree).
 */

/** One test on one key: IN = any value matches, NOTIN = no value matches (contract §5). */
export interface FilterCondition {
  /** `title`, `description`, `severity`, `integration` or `labels.<name>`. */
  key: string;
  op: 'IN' | 'NOTIN';
  /** Exact, `/regex/`, wildcard `*` `?`, `cidr:<network>` or `num:gt|ge|lt|le:<n>`; `["*"]` = key present. */
  values: string[];
}

/** OR of AND groups, or a single AND group. */
export type FilterSpec = FilterCondition[][] | FilterCondition[];

/** One conditional grouping branch: the first case whose `if` matches chooses the dimensions. */
export interface GroupingCase {
  if: FilterSpec;
  /** OR of AND groups of dimension keys, ≤ 5 keys per group. */
  equals: string[][];
}

/** Similarity grouping: fields compared and the score needed to join an incident. */
export interface SimilaritySettings {
  keys?: string[];
  /** 0.5..1, default 0.9. */
  threshold?: number;
}

/** A channel's alert → incident grouping (contract §1). */
export interface GroupingSettings {
  method: 'none' | 'rules' | 'similarity';
  /** Default dimensions (used when no case matches): OR of AND groups of keys. */
  equals?: string[][];
  cases?: GroupingCase[];
  /** True: an alert with an empty dimension value is not grouped. */
  strict?: boolean;
  /** Duration such as `10m`; absent = merge until the incident closes. */
  time_window?: string;
  window_type?: 'tumbling' | 'sliding';
  similarity?: SimilaritySettings;
}

/** Flapping detection: `max_changes` status changes within `in_mins` minutes. */
export interface FlappingSettings {
  mode: 'off' | 'alert-only' | 'alert-then-silence';
  max_changes?: number;
  in_mins?: number;
  mute_mins?: number;
}

/** A silence active between two instants (ISO 8601 with offset, or Unix seconds/milliseconds). */
export interface OneOffWindow {
  start: string | number;
  end: string | number;
}

/** A weekly wall-clock window; `end` ≤ `start` spans midnight into the next day. */
export interface WeeklyWindow {
  /** 0 = Sunday … 6 = Saturday; absent or empty = every day. */
  days?: number[];
  /** `HH:MM`. */
  start: string;
  /** `HH:MM`; `24:00` = end of the day. */
  end: string;
}

/** Weekly windows in an IANA time zone. */
export interface WeeklySchedule {
  timezone: string;
  windows: WeeklyWindow[];
}

/** A silence: matching alerts are marked silenced (or dropped) and never trigger or join an incident. */
export interface SilenceRule {
  id: string;
  name?: string;
  description?: string;
  if: FilterSpec;
  /** `mark` (default): kept and marked; `drop`: discarded. */
  mode?: 'mark' | 'drop';
  one_off?: OneOffWindow;
  weekly?: WeeklySchedule;
}

/** An active source alert suppresses target alerts with equal values on every `equal` key. */
export interface InhibitionRule {
  id: string;
  name?: string;
  source: FilterSpec;
  target: FilterSpec;
  /** Keys such as `labels.host`; values must be present and equal on source and target. */
  equal: string[];
  mode?: 'mark' | 'drop';
}

/** A channel drop rule: a matching event is discarded before it becomes an alert. */
export interface DropRule {
  id: string;
  name?: string;
  if: FilterSpec;
}

/** Sets `target` from a regex match on a field: the named group `result`, else the whole match. */
export interface ExtractAction {
  /** `title`, `description` or `labels.<name>`. */
  source: string;
  pattern: string;
  target: string;
}

/** Sets `target` from a template: `{{.title}}`, `{{.description}}`, `{{.severity}}`, `{{.labels.x}}`, `${x}`. */
export interface ComposeAction {
  target: string;
  template: string;
}

/** Looks the source labels' values up in a table and sets the target labels from the matching row. */
export interface MapAction {
  source_labels: string[];
  target_labels: string[];
  /** Rows holding every source and target label; the first matching row wins. */
  table?: Array<Record<string, string>>;
  /** CSV file the loader reads into `table`. */
  file?: string;
}

/** Removes labels. */
export interface DropLabelsAction {
  labels: string[];
}

/** One label-enrichment rule of an integration: exactly one of extract, compose, map, drop. */
export interface EnrichRule {
  id?: string;
  if?: FilterSpec;
  /** Replace a label that already exists; default false. */
  overwrite?: boolean;
  extract?: ExtractAction;
  compose?: ComposeAction;
  map?: MapAction;
  drop?: DropLabelsAction;
}

/** One pipeline rule of an integration; never applied to Ok events. */
export interface PipelineRule {
  id?: string;
  if?: FilterSpec;
  action: 'title' | 'description' | 'severity' | 'drop' | 'inhibit';
  /** Title or description template (`[TPL]…` allowed), or the new severity. */
  value?: string;
  /** inhibit: conditions on an active source alert of the same integration. */
  source?: FilterSpec;
  /** inhibit: keys whose values must be equal on source and event. */
  equal?: string[];
}

/** One routing case of a shared integration. */
export interface RouteCase {
  if: FilterSpec;
  channels?: string[];
  /** A label whose value names the channel (by id). */
  channel_label?: string;
  /** Go on to the next case after a match; default false (stop). */
  continue?: boolean;
}

/** The routing fields of a shared integration. */
export interface RoutingTable {
  routes: RouteCase[];
  default_channels?: string[];
}
