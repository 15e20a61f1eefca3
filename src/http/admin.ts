import { timingSafeEqual, createHash } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { AppError } from '../errors.js';
import { verifyJsonDepth } from './request.js';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * Middleware: 401 unless `Authorization: Bearer <ADMIN_TOKEN>`, or a console session that sessionAuth (console.ts)
 * found and checked before.
 */
export function requireAdmin(token: string) {
  const expected = digest(token);
  return (req: Request, res: Response, next: NextFunction) => {
    if (res.locals.consoleSession !== undefined && req.get('authorization') === undefined) return next();
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match) throw new AppError('Unauthorized', 'management API needs Authorization: Bearer <ADMIN_TOKEN>');
    if (!timingSafeEqual(digest(match[1]), expected))
      throw new AppError('Unauthorized', 'the bearer token is not the ADMIN_TOKEN');
    next();
  };
}

/**
 * A router for part of the management API: requests are labelled `api` in metrics and logs, need the admin bearer
 * token, and (with `json`) have their JSON bodies parsed.
 */
export function adminRouter(adminToken: string, options: { json: boolean }): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.locals.route = 'api';
    next();
  });
  router.use(requireAdmin(adminToken));
  if (options.json) router.use(express.json({ limit: '1mb', verify: verifyJsonDepth }));
  return router;
}
