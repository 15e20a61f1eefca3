import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { IncidentStream } from '../console/incident-stream.js';
import { sameSecret, SessionStore, type ConsoleSession } from '../console/sessions.js';
import { AppError, invalidParameter } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import { packageRoot } from '../paths.js';
import { sendData } from './respond.js';

export const sessionCookie = 'alertgate_session';
/** Where `npm run build` writes the console's bundle and index.html. */
export const consoleBuildDir = join(packageRoot, 'dist', 'web');
/** The console's pages: each one answers index.html, so every page is linkable and survives a reload. */
const pagePath =
  /^\/(?:|login|incidents|incidents\/[^/]+|events|integrations|integrations\/[^/]+|playground|silences)\/?$/;
const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** The origin the browser shows for this request (the Host header, as the browser sent it). */
function ownOrigin(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? ''}`;
}

/** A write by a session must come from the console itself: same origin, and the session's CSRF token. */
function checkCsrf(req: Request, session: ConsoleSession): void {
  if (!unsafeMethods.has(req.method)) return;
  const origin = req.get('origin');
  if (origin !== undefined && origin !== ownOrigin(req))
    throw new AppError('AccessDenied', `a console write must come from the console's own origin, not ${origin}`);
  const token = req.get('x-csrf-token');
  if (!token || !sameSecret(token, session.csrfToken))
    throw new AppError('AccessDenied', 'a console write needs the X-CSRF-Token header of its session');
}

/**
 * Middleware before the management API: a request without an Authorization header but with a live console session
 * cookie is authenticated by that session (requireAdmin reads `res.locals.consoleSession`), writes only with CSRF
 * protection.
 */
export function sessionAuth(sessions: SessionStore) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.get('authorization') === undefined) {
      const session = sessions.get(cookieOf(req, sessionCookie));
      if (session) {
        checkCsrf(req, session);
        res.locals.consoleSession = session;
      }
    }
    next();
  };
}

function setSessionCookie(req: Request, res: Response, value: string, maxAgeSeconds: number, secure: boolean): void {
  const parts = [`${sessionCookie}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`];
  if (secure || req.secure) parts.push('Secure');
  res.setHeader('Set-Cookie', parts.join('; '));
}

/** `/api/v1/session`: log in with the admin token (sets the cookie), see the session, log out. */
export function sessionRoutes(sessions: SessionStore, adminToken: string, secureCookie: boolean): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.locals.route = 'session';
    next();
  });
  router.post('/session', express.json({ limit: '16kb' }), (req, res) => {
    const origin = req.get('origin');
    if (origin !== undefined && origin !== ownOrigin(req))
      throw new AppError('AccessDenied', `a console login must come from the console's own origin, not ${origin}`);
    const token = (req.body as { token?: unknown } | undefined)?.token;
    if (typeof token !== 'string' || token === '') throw invalidParameter('token (body): the admin token is required');
    if (!sameSecret(token, adminToken)) throw new AppError('Unauthorized', 'the token is not the ADMIN_TOKEN');
    const session = sessions.create();
    setSessionCookie(req, res, session.id, 12 * 3600, secureCookie);
    sendData(res, { authenticated: true, csrf_token: session.csrfToken, expires_at: session.expiresAt }, 201);
  });
  router.get('/session', (req, res) => {
    // Not a 401: the console asks this first, logged in or not.
    const session = sessions.get(cookieOf(req, sessionCookie));
    sendData(
      res,
      session
        ? { authenticated: true, csrf_token: session.csrfToken, expires_at: session.expiresAt }
        : { authenticated: false },
    );
  });
  router.delete('/session', (req, res) => {
    const session = sessions.get(cookieOf(req, sessionCookie));
    if (session) {
      checkCsrf(req, session);
      sessions.delete(session.id);
    }
    setSessionCookie(req, res, '', 0, secureCookie);
    sendData(res, { logged_out: true });
  });
  return router;
}

/**
 * `GET /stream`: Server-Sent Events, one `incidents` event (`{"ids": [...]}`) each time committed incidents changed,
 * and a comment every 20 s that keeps proxies from closing an idle stream.
 */
export function streamRoute(router: Router, stream: IncidentStream): void {
  router.get('/stream', async (req, res) => {
    res.locals.route = 'stream';
    let open = false;
    const { stop, ready } = stream.listen((ids) => {
      if (open) res.write(`event: incidents\ndata: ${JSON.stringify({ ids })}\n\n`);
    });
    const keepAlive = setInterval(() => open && res.write(': keep-alive\n\n'), 20_000);
    keepAlive.unref();
    // A shutdown (server.close) waits for open connections: a stream ends within a second of it, and the browser
    // reconnects to another gateway or to this one once it is back.
    const server = (req.socket as { server?: { listening: boolean } }).server;
    const shutdownWatch = setInterval(() => {
      if (server && !server.listening) res.end();
    }, 1000);
    shutdownWatch.unref();
    req.on('close', () => {
      clearInterval(keepAlive);
      clearInterval(shutdownWatch);
      stop();
    });
    // The browser's `open` means subscribed: every change committed after it is announced.
    await ready;
    if (res.writableEnded || req.destroyed) return;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n: connected\n\n');
    open = true;
  });
}

/**
 * The console's static files: hashed assets cached for a year, every page path answered with index.html. With a
 * live session the page carries its CSRF token (as frameworks do in a meta tag), so it starts without asking.
 */
export function consoleRoutes(enabled: () => boolean, logger: Logger, sessions: SessionStore): Router {
  const router = Router();
  const indexFile = join(consoleBuildDir, 'index.html');
  let index: string | undefined;
  const indexHtml = (): string | undefined => {
    if (index === undefined && existsSync(indexFile)) index = readFileSync(indexFile, 'utf8');
    return index;
  };
  router.use((_req, _res, next) => (enabled() ? next() : next('router')));
  router.use(
    '/console/assets',
    (_req, res, next) => {
      res.locals.route = 'console';
      next();
    },
    express.static(join(consoleBuildDir, 'assets'), { immutable: true, maxAge: '365d', index: false }),
  );
  // A middleware rather than routes: pages are not part of the API description (schemas/openapi.json).
  router.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !pagePath.test(req.path)) return next();
    res.locals.route = 'console';
    const html = indexHtml();
    if (html === undefined) {
      logger.warn({ dir: consoleBuildDir }, 'the web console is not built: run npm run build');
      res.status(503).type('text/plain').send('The web console is not built: run npm run build.\n');
      return;
    }
    const session = sessions.get(cookieOf(req, sessionCookie));
    res.setHeader('cache-control', 'no-store');
    res.setHeader(
      'content-security-policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
    );
    res
      .type('html')
      .send(
        session
          ? html.replace(
              '<meta name="alertgate-csrf" content="">',
              `<meta name="alertgate-csrf" content="${session.csrfToken}">`,
            )
          : html,
      );
  });
  return router;
}
