// Generated from schemas/rules.schema.json by scripts/schema-types.mjs (npm run build). Edit the schema, not this file.

/** A field of an alert: title, description, severity, integration (integration id) or labels.<name>. */
export type Key = string;

export type LabelName = string;

export type ChannelId = string;

export type RuleId = string;

/** A duration such as 30s, 10m, 1h, 1d, 1w. */
export type Duration = string;

/** IN: any value matches; NOTIN: no value matches. Values: exact, /regex/ (RE2 syntax, contains), wildcard * ?, cidr:<network>, num:gt|ge|lt|le:<n>; ["*"] = key present. */
export interface Condition {
  key: Key;
  op: 'IN' | 'NOTIN';
  values: string[];
}

/** Conditions that must all match. */
export type AndFilter = Condition[];

/** Conditions that must all match: one group of an OR. */
export type ConditionGroup = Condition[];

/** OR of AND groups ([[...], [...]]) or a single AND group ([...]). */
export type Filter = ConditionGroup[] | AndFilter;

export type RequiredFilter = Filter;

/** OR of AND groups of dimension keys, at most 5 keys per group. */
export type DimensionGroups = Key[][];

/** One conditional grouping branch: the first case whose `if` matches chooses the dimensions. */
export interface GroupingCase {
  if: Filter;
  equals: DimensionGroups;
}

/** Similarity grouping: the fields compared and the score needed to join an incident. */
export interface Similarity {
  keys?: Key[];
  /** Default 0.9. */
  threshold?: number;
}

/** A channel's alert → incident grouping (contract §1). */
export interface Grouping {
  method: 'none' | 'rules' | 'similarity';
  /** Default dimensions, used when no case matches. */
  equals?: DimensionGroups;
  cases?: GroupingCase[];
  /** An alert with an empty dimension value is not grouped. Default false. */
  strict?: boolean;
  /** How long an incident takes new alerts; absent: until it closes. */
  time_window?: Duration;
  /** tumbling: from the incident's trigger (default); sliding: from the last merge. */
  window_type?: 'tumbling' | 'sliding';
  similarity?: Similarity;
}

/** Flapping detection: `max_changes` status changes within `in_mins` minutes. */
export interface Flapping {
  mode: 'off' | 'alert-only' | 'alert-then-silence';
  /** Default 4. */
  max_changes?: number;
  /** Default 60. */
  in_mins?: number;
  /** Default 120. */
  mute_mins?: number;
}

/** Alert counts of an incident that each raise one i_storm. */
export type StormThresholds = number[];

/** ISO 8601 with Z or an offset, or Unix seconds or milliseconds. */
export type Instant = string | number;

/** A silence active from start (inclusive) to end (exclusive). */
export interface OneOffWindow {
  start: Instant;
  end: Instant;
}

/** A weekly wall-clock window; end <= start spans midnight into the next day. */
export interface WeeklyWindow {
  /** 0 = Sunday; empty = every day. */
  days?: number[];
  /** HH:MM. */
  start: string;
  /** HH:MM; 24:00 is the end of the day; end <= start spans midnight. */
  end: string;
}

/** Weekly windows in an IANA time zone. */
export interface WeeklySchedule {
  /** IANA time zone, e.g. Europe/Berlin. */
  timezone: string;
  windows: WeeklyWindow[];
}

/** A silence: matching alerts are marked silenced (or dropped) and never trigger or join an incident. */
export interface Silence {
  id: RuleId;
  name?: string;
  description?: string;
  if: RequiredFilter;
  /** mark (default): kept and marked silenced; drop: discarded. */
  mode?: 'mark' | 'drop';
  one_off?: OneOffWindow;
  weekly?: WeeklySchedule;
}

/** Keys such as labels.host whose values must be present and equal on source and target. */
export type EqualKeys = Key[];

/** An active source alert suppresses target alerts with equal values on every `equal` key. */
export interface Inhibition {
  id: RuleId;
  name?: string;
  source: RequiredFilter;
  target: RequiredFilter;
  equal: EqualKeys;
  mode?: 'mark' | 'drop';
}

/** A channel drop rule: a matching event is discarded before it becomes an alert. */
export interface DropRule {
  id: RuleId;
  name?: string;
  if: RequiredFilter;
}

/** Sets target from a regex match on a field: the named group result, else the whole match. */
export interface ExtractAction {
  /** title, description or labels.<name>. */
  source: string;
  /** RE2 syntax; the named group (?P<result>...) is taken, else the whole match. */
  pattern: string;
  target: LabelName;
}

/** Sets target from a template of the event's fields and labels. */
export interface ComposeAction {
  target: LabelName;
  /** {{.title}} {{.description}} {{.severity}} {{.labels.x}} ${x} */
  template: string;
}

/** Looks the source labels' values up in a table and sets the target labels from the first matching row. */
export interface MapAction {
  source_labels: LabelName[];
  target_labels: LabelName[];
  /** Rows holding every source and target label; the first matching row wins. */
  table?: Record<string, string>[];
  /** CSV file with a header row naming the source and target labels. */
  file?: string;
}

/** Removes labels. */
export interface DropLabelsAction {
  labels: LabelName[];
}

/** One label-enrichment rule of an integration: exactly one of extract, compose, map, drop. */
export interface EnrichRule {
  id?: RuleId;
  if?: Filter;
  /** Replace a label that already exists. Default false. */
  overwrite?: boolean;
  extract?: ExtractAction;
  compose?: ComposeAction;
  map?: MapAction;
  drop?: DropLabelsAction;
}

/** One pipeline rule of an integration; never applied to Ok events. */
export interface PipelineRule {
  id?: RuleId;
  if?: Filter;
  action: 'title' | 'description' | 'severity' | 'drop' | 'inhibit';
  /** Title or description template ([TPL]… allowed), or the new severity. */
  value?: string;
  /** inhibit: conditions on an active source alert of the same integration. */
  source?: RequiredFilter;
  equal?: EqualKeys;
}

export type Pipeline = PipelineRule[];

/** One routing case of a shared integration. */
export interface RouteCase {
  if: Filter;
  channels?: ChannelId[];
  /** A label whose value names the channel (by id). */
  channel_label?: LabelName;
  /** Go on to the next case after a match. Default false. */
  continue?: boolean;
}

export type Routes = RouteCase[];

export type DefaultChannels = ChannelId[];

/** The type of each definition of schemas/rules.schema.json, by its name there. */
export interface Definitions {
  key: Key;
  labelName: LabelName;
  channelId: ChannelId;
  ruleId: RuleId;
  duration: Duration;
  condition: Condition;
  andFilter: AndFilter;
  conditionGroup: ConditionGroup;
  filter: Filter;
  requiredFilter: RequiredFilter;
  dimensionGroups: DimensionGroups;
  groupingCase: GroupingCase;
  similarity: Similarity;
  grouping: Grouping;
  flapping: Flapping;
  storm_thresholds: StormThresholds;
  instant: Instant;
  oneOffWindow: OneOffWindow;
  weeklyWindow: WeeklyWindow;
  weeklySchedule: WeeklySchedule;
  silence: Silence;
  equalKeys: EqualKeys;
  inhibition: Inhibition;
  dropRule: DropRule;
  extractAction: ExtractAction;
  composeAction: ComposeAction;
  mapAction: MapAction;
  dropLabelsAction: DropLabelsAction;
  enrichRule: EnrichRule;
  pipelineRule: PipelineRule;
  pipeline: Pipeline;
  routeCase: RouteCase;
  routes: Routes;
  default_channels: DefaultChannels;
}
