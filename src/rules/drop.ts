import { compileFilter, validateFilter, type CompiledFilter, type FilterSubject } from './filter.js';
import { assertNoProblems } from './rule-error.js';
import type { DropRule } from './types.js';

/** A channel drop rule compiled once. */
export interface CompiledDropRule {
  rule: DropRule;
  matches: CompiledFilter;
}

/** Checks a drop rule: an id and at least one condition (an empty `if` would drop everything). */
export function validateDropRule(rule: DropRule, path: string): string[] {
  const problems = typeof rule.id === 'string' && rule.id !== '' ? [] : [`${path}.id: required`];
  if (Array.isArray(rule.if) && rule.if.length === 0)
    return [...problems, `${path}.if: must have at least one condition`];
  return [...problems, ...validateFilter(rule.if, `${path}.if`)];
}

/** Compiles a channel's drop rules once; throws RuleValidationError listing every problem. */
export function compileDropRules(rules: readonly DropRule[], path = 'drop'): CompiledDropRule[] {
  assertNoProblems(rules.flatMap((rule, index) => validateDropRule(rule, `${path}[${index}]`)));
  return rules.map((rule, index) => ({ rule, matches: compileFilter(rule.if, `${path}[${index}].if`) }));
}

/** The first drop rule (in list order) matching the event; undefined = keep it. */
export function matchingDropRule(rules: readonly CompiledDropRule[], subject: FilterSubject): DropRule | undefined {
  return rules.find((compiled) => compiled.matches(subject))?.rule;
}
