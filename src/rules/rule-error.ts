import { ProblemError, type ProblemList } from '../problems.js';

/** A rule refused for its problems (a quick silence's duration, say); each names the field at fault. */
export class RuleValidationError extends ProblemError {
  constructor(problems: ProblemList) {
    super('invalid rules', problems);
    this.name = 'RuleValidationError';
  }
}
