/*
 * Rule shapes as written in alertgate.yaml: the types of schemas/rules.schema.json's definitions (generated into
 * src/generated/rules.ts), under the names the rules use.
 */
export type {
  ComposeAction,
  DropLabelsAction,
  DropRule,
  EnrichRule,
  ExtractAction,
  Condition as FilterCondition,
  Filter as FilterSpec,
  Flapping as FlappingSettings,
  GroupingCase,
  Grouping as GroupingSettings,
  Inhibition as InhibitionRule,
  MapAction,
  OneOffWindow,
  PipelineRule,
  RouteCase,
  Silence as SilenceRule,
  Similarity as SimilaritySettings,
  WeeklySchedule,
  WeeklyWindow,
} from '../generated/rules.js';
import type { DefaultChannels, Routes } from '../generated/rules.js';

/** The routing fields of a shared integration. */
export interface RoutingTable {
  routes: Routes;
  default_channels?: DefaultChannels;
}
