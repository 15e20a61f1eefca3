import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express';
import { AppError, unavailable } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { isStoreUnavailable } from '../store/availability.js';
import { isRedisUnavailable } from '../queue/redis-circuit.js';
import { sendError } from './respond.js';

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  message?: string;
}

/** Maps body-parser failures to the contract's codes; undefined when it is not one. */
export function bodyParserError(error: unknown): AppError | undefined {
  const parserError = error as BodyParserError;
  switch (parserError.type) {
    case 'entity.too.large':
      return new AppError(
        'PayloadTooLarge',
        `request body is larger than the limit of ${parserError.limit ?? '?'} bytes`,
      );
    case 'entity.parse.failed':
      return new AppError('InvalidParameter', `request body is not valid JSON: ${parserError.message ?? ''}`.trim());
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('InvalidContentType', parserError.message ?? 'unsupported content encoding');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new AppError('InvalidParameter', parserError.message ?? 'the request body could not be read');
    default:
      return undefined;
  }
}

/** The router's failure to decode a path parameter (`/events/%FF`): the client's malformed URL, not a defect. */
function malformedPathError(error: unknown): AppError | undefined {
  return error instanceof URIError ? new AppError('InvalidParameter', `request path: ${error.message}`) : undefined;
}

/** Redis away while serving the management API (queue views, recent payloads): retry later, as a push would be told. */
function redisUnavailableError(error: unknown): AppError | undefined {
  if (!isRedisUnavailable(error)) return undefined;
  return unavailable(`redis is unavailable (${(error as Error).message}); retry later`, 5);
}

/** Last handler: known errors answer with their code; anything else is logged with the request id and is a 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known =
      error instanceof AppError
        ? error
        : (bodyParserError(error) ?? malformedPathError(error) ?? redisUnavailableError(error));
    if (known) {
      sendError(res, known);
      return;
    }
    if (isStoreUnavailable(error)) {
      // Not a defect: the database is restarting or unreachable, and the same request succeeds once it is back.
      logger.warn(
        { request_id: res.locals.requestId, method: req.method, path: req.path, err: (error as Error).message },
        'database unavailable',
      );
      if (!res.headersSent)
        sendError(res, unavailable(`the database is unavailable (${(error as Error).message}); retry later`, 5));
      return;
    }
    logger.error(
      { request_id: res.locals.requestId, method: req.method, path: req.path, err: error },
      'unexpected error',
    );
    if (!res.headersSent)
      sendError(
        res,
        new AppError(
          'InternalError',
          'internal error; see the server log for request_id ' + String(res.locals.requestId),
        ),
      );
  };
}

/** For paths no route knows. */
export function routeNotFound(req: Request, res: Response): void {
  sendError(res, new AppError('RouteNotFound', `no route for ${req.method} ${req.path}`));
}
