import { ruleProblems } from '../../src/config/schema-problems.js';
import type { Definitions } from '../../src/generated/rules.js';
import { formatProblem, type ProblemList } from '../../src/problems.js';

/**
 * The problems of one rule as alertgate.yaml's are found (its shape by the schema, then `check` for what only code
 * sees), printed `path: message`.
 */
export function ruleProblemLines<Name extends keyof Definitions>(
  definition: Name,
  value: unknown,
  path: string,
  check?: (rule: Definitions[Name], path: string) => ProblemList,
): string[] {
  return ruleProblems(definition, value, path, check).map((problem) => formatProblem(problem));
}
