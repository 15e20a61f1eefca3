/** Rules that failed validation; `problems` are `path: message` lines that point at the rule. */
export class RuleValidationError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid rules:\n${problems.join('\n')}`);
    this.name = 'RuleValidationError';
    this.problems = problems;
  }
}

/** Throws a RuleValidationError when there are problems: compile functions call it so bad rules never run. */
export function assertNoProblems(problems: string[]): void {
  if (problems.length > 0) throw new RuleValidationError(problems);
}
