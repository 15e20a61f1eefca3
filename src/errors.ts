import { formatProblem, type ProblemList } from './problems.js';

/** Stable error codes of the push and management APIs, with their HTTP statuses (Flashduty's where they exist). */
export const errorStatuses = {
  InvalidParameter: 400,
  InvalidContentType: 400,
  MethodNotAllowed: 400,
  Unauthorized: 401,
  AccessDenied: 403,
  RouteNotFound: 404,
  ResourceNotFound: 404,
  Conflict: 409,
  PayloadTooLarge: 413,
  RequestTooFrequently: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatuses;

/** The one error type of alertgate: a stable code, its HTTP status and a message that says exactly what is wrong. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = errorStatuses[code];
    this.headers = headers;
  }
}

/* One constructor per code that is thrown from several places, so each message keeps one wording. */

export const invalidParameter = (message: string): AppError => new AppError('InvalidParameter', message);

/** InvalidParameter listing every problem of a body, `; `-separated; `root` names the body itself. */
export const problemsParameter = (problems: ProblemList, root: string): AppError =>
  invalidParameter(problems.map((problem) => formatProblem(problem, root)).join('; '));

/** `no <what> with id <id>`, optionally followed by where it was looked for (` for integration x`). */
export const notFound = (what: string, id: string, where = ''): AppError =>
  new AppError('ResourceNotFound', `no ${what} with id ${id}${where}`);

export const conflict = (message: string): AppError => new AppError('Conflict', message);

/** A dependency is away: the same request succeeds later; `retryAfterSeconds` becomes the Retry-After header. */
export const unavailable = (message: string, retryAfterSeconds?: number): AppError =>
  new AppError(
    'ServiceUnavailable',
    message,
    retryAfterSeconds === undefined ? {} : { 'Retry-After': String(retryAfterSeconds) },
  );
