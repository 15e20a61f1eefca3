/*
 * The problems of a document alertgate reads (alertgate.yaml, a rule sent to the API): one shape for what its
 * schema refuses and what only code can check (a regex, a time zone, a channel id), so both are listed together
 * and printed alike.
 */

/** One problem: which value, what is wrong with it, and what was probably meant. */
export interface Problem {
  /** The value at fault, `channels[0].grouping.equals[1]`; '' is the document itself. */
  path: string;
  message: string;
  /** The name most likely meant, printed as `; did you mean "x"?`. */
  suggestion?: string;
  /** Where the value is written, once known (a YAML document's file:line:col). */
  location?: { file: string; line?: number; col?: number };
}

/** Every problem of a document, in the order found. */
export type ProblemList = Problem[];

/** A problem at `path`. */
export const problemAt = (path: string, message: string, suggestion?: string): Problem => ({
  path,
  message,
  ...(suggestion !== undefined && { suggestion }),
});

/** The path of a field of the value at `path` (`a.b`; just `b` when `path` is the document). */
export const fieldPath = (path: string, field: string): string => (path === '' ? field : `${path}.${field}`);

/**
 * A problem as printed: `file:line:col: path: message; did you mean "x"?`, with what is known of each part.
 * `root` names the document itself (`(root)` in a file, `body` in a request).
 */
export function formatProblem(problem: Problem, root = '(root)'): string {
  const { location } = problem;
  const where = location
    ? `${location.file}${location.line !== undefined ? `:${location.line}:${location.col ?? 1}` : ''}: `
    : '';
  const meant = problem.suggestion !== undefined ? `; did you mean ${JSON.stringify(problem.suggestion)}?` : '';
  return `${where}${problem.path || root}: ${problem.message}${meant}`;
}

/** A document refused for its problems; `problems` are the lines printed, `list` the problems themselves. */
export class ProblemError extends Error {
  readonly list: ProblemList;
  readonly problems: string[];

  constructor(heading: string, list: ProblemList, root?: string) {
    const lines = list.map((problem) => formatProblem(problem, root));
    super(`${heading}:\n  ${lines.join('\n  ')}`);
    this.name = 'ProblemError';
    this.list = list;
    this.problems = lines;
  }
}
