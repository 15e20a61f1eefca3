import { renderTitleRule } from '../events/title-rule.js';
import { truncateCodePoints } from '../events/truncate.js';
import { compileFilter, compileOptionalFilter, subjectOf, validateFilter, type CompiledFilter } from './filter.js';
import type { RuleEvent } from './enrich.js';
import { findInhibitingSource, type InhibitionCandidate } from './inhibition.js';
import type { PipelineRule } from './types.js';
import { eventLimits } from '../events/limits.js';
import type { ProblemList } from '../problems.js';

/** The lengths a rendered title and description are cut to. (At most 50 rules an integration is the schema's.) */
export const pipelineLimits = { title: eventLimits.title, description: eventLimits.description } as const;

/** An event as the pipeline sees it; the optional fields feed `[TPL]` templates. */
export interface PipelineEvent extends RuleEvent {
  alert_key?: string;
  title_rule?: string;
  integration_type?: string;
}

/** A pipeline rule compiled once. */
export interface CompiledPipelineRule {
  id: string;
  rule: PipelineRule;
  matches: CompiledFilter;
  source?: CompiledFilter;
}

/** What the pipeline decided: the (possibly changed) event, or that a rule dropped or inhibited it. */
export type PipelineOutcome<E, C> =
  | { kind: 'event'; event: E; applied: string[] }
  | { kind: 'drop'; rule_id: string; applied: string[] }
  | { kind: 'inhibit'; rule_id: string; source: C; applied: string[] };

/** Checks what the schema cannot of a pipeline rule: its filters' values (`if`, and an inhibit's `source`). */
export function validatePipelineRule(rule: PipelineRule, path: string): ProblemList {
  return [
    ...(rule.if === undefined ? [] : validateFilter(rule.if, `${path}.if`)),
    ...(rule.action === 'inhibit' && rule.source ? validateFilter(rule.source, `${path}.source`) : []),
  ];
}

/** Compiles an integration's checked pipeline once. */
export function compilePipeline(rules: readonly PipelineRule[]): CompiledPipelineRule[] {
  return rules.map((rule, index) => ({
    id: rule.id ?? `pipeline[${index}]`,
    rule,
    matches: compileOptionalFilter(rule.if),
    source: rule.action === 'inhibit' && rule.source ? compileFilter(rule.source) : undefined,
  }));
}

function render<E extends PipelineEvent>(template: string, event: E, integrationName: string): string {
  return renderTitleRule(template, {
    labels: event.labels,
    title: event.title,
    titleRule: event.title_rule,
    description: event.description,
    eventStatus: event.event_status,
    alertKey: event.alert_key,
    integrationName,
    integrationType: event.integration_type ?? '',
  });
}

function rewrite<E extends PipelineEvent>(rule: PipelineRule, event: E, integrationName: string): E {
  const value = rule.value ?? '';
  if (rule.action === 'title')
    return { ...event, title: truncateCodePoints(render(value, event, integrationName), pipelineLimits.title) };
  if (rule.action === 'description')
    return {
      ...event,
      description: truncateCodePoints(render(value, event, integrationName), pipelineLimits.description),
    };
  return { ...event, event_status: value };
}

/** What the pipeline needs besides the event. */
export interface PipelineContext<C extends InhibitionCandidate> {
  now: number;
  /** Open alerts of the same integration, for `inhibit` rules. */
  sources?: readonly C[];
  integrationName?: string;
}

/**
 * Runs an integration's pipeline top to bottom, each rule on the output of the one before: title/description
 * reset (templates as title rules, `[TPL]…`; cut to 512/2048), severity reset, drop, inhibit (an active source of
 * the same integration, as inhibition rules). Ok events pass untouched. Returns a new event, or the deciding rule.
 */
export function applyPipeline<E extends PipelineEvent, C extends InhibitionCandidate>(
  rules: readonly CompiledPipelineRule[],
  event: E,
  context: PipelineContext<C>,
): PipelineOutcome<E, C> {
  const applied: string[] = [];
  if (event.event_status === 'Ok') return { kind: 'event', event, applied };
  let current = event;
  for (const compiled of rules) {
    if (!compiled.matches(subjectOf(current))) continue;
    const { rule } = compiled;
    if (rule.action === 'drop') return { kind: 'drop', rule_id: compiled.id, applied };
    if (rule.action === 'inhibit') {
      const target = { ...subjectOf(current), alert_key: current.alert_key };
      const source =
        compiled.source &&
        findInhibitingSource(
          compiled.source,
          rule.equal ?? [],
          target,
          context.sources ?? [],
          context.now,
          compiled.matches,
        );
      if (source) return { kind: 'inhibit', rule_id: compiled.id, source, applied };
      continue;
    }
    current = rewrite(rule, current, context.integrationName ?? current.integration_id);
    applied.push(compiled.id);
  }
  return { kind: 'event', event: current, applied };
}
