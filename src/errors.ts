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

export const invalidParameter = (message: string): AppError => new AppError('InvalidParameter', message);
