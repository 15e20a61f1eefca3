import { compileFilter, validateFilter, type CompiledFilter, type FilterSubject } from './filter.js';
import type { DropRule } from './types.js';
import type { ProblemList } from '../problems.js';

/** A channel drop rule compiled once. */
export interface CompiledDropRule {
  rule: DropRule;
  matches: CompiledFilter;
}

/** Checks what the schema cannot of a drop rule: its filter's values. */
export function validateDropRule(rule: DropRule, path: string): ProblemList {
  return validateFilter(rule.if, `${path}.if`);
}

/** Compiles a channel's checked drop rules once. */
export function compileDropRules(rules: readonly DropRule[]): CompiledDropRule[] {
  return rules.map((rule) => ({ rule, matches: compileFilter(rule.if) }));
}

/** The first drop rule (in list order) matching the event; undefined = keep it. */
export function matchingDropRule(rules: readonly CompiledDropRule[], subject: FilterSubject): DropRule | undefined {
  return rules.find((compiled) => compiled.matches(subject))?.rule;
}
