import type { Response } from 'express';
import { notFound, type AppError } from '../errors.js';
import type { AcceptedPayload } from '../ingest/accept.js';

/* Writing answers: every JSON body of the gateway is written here, in the contract's shapes. */

/** A success: `{request_id, data}`. */
export function sendData(res: Response, data: unknown, status = 200): void {
  res.status(status).json({ request_id: res.locals.requestId as string, data });
}

/** Answers one resource, or ResourceNotFound (`no <what> with id <id>`) when there is none. */
export function sendFound(res: Response, found: unknown, what: string, id: string): void {
  if (found === undefined || found === null) throw notFound(what, id);
  sendData(res, found);
}

/** A push's answer: `alert_key` for a single event object, `alert_keys` for a list (even empty). */
export function sendPushResult(res: Response, accepted: AcceptedPayload): void {
  const keys = accepted.events.map((event) => event.alert_key);
  sendData(res, accepted.asList || keys.length !== 1 ? { alert_keys: keys } : { alert_key: keys[0] });
}

/** An error's status and headers with a body of the caller's shape (the native drop-ins answer in the vendor's). */
export function sendErrorAs(res: Response, error: AppError, body: unknown): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.status(error.status).json(body);
}

/** The JSON error shape of every endpoint: `{request_id, error: {code, message}}`. */
export function sendError(res: Response, error: AppError): void {
  sendErrorAs(res, error, {
    request_id: res.locals.requestId as string,
    error: { code: error.code, message: error.message },
  });
}
