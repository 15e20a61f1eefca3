import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { newRequestId } from '../events/ids.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';

/** Gives every request an id (body and X-Request-Id header), then logs and counts it when it ends. */
export function requestContext(logger: Logger, metrics: Metrics): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const requestId = newRequestId();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      const route = (res.locals.route as string | undefined) ?? 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpRequests.inc({ route, code: String(res.statusCode) });
      metrics.httpDuration.observe({ route }, seconds);
      const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'info' : 'debug';
      if (!logger.isLevelEnabled(level)) return;
      const entry = {
        request_id: requestId,
        method: req.method,
        route,
        status: res.statusCode,
        ms: Math.round(seconds * 1e4) / 10,
        integration_id: res.locals.integrationId as string | undefined,
      };
      logger[level](entry, level === 'error' ? 'request failed' : level === 'info' ? 'request rejected' : 'request');
    });
    next();
  };
}
