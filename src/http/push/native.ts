import { Router, type NextFunction, type Request, type Response } from 'express';
import type { AdapterRequest } from '../../adapters/body-parsing.js';
import { AppError } from '../../errors.js';
import { truncateCodePoints } from '../../events/truncate.js';
import {
  acceptAdapterPush,
  adapterNamed,
  authenticate,
  type AcceptedPayload,
  type IngestDeps,
} from '../../ingest/accept.js';
import { parseJsonWithinDepth } from '../../json-depth.js';
import { isPlainObject } from '../../plain-object.js';
import { adapterRequestOf, integrationKeyOf, readRawBody } from '../request.js';
import { sendErrorAs } from '../respond.js';

/*
 * Drop-in endpoints for senders that only speak PagerDuty's Events API or Opsgenie's Alert API (contract §2): the
 * same pipeline as /event/push/alert/{pagerduty|opsgenie}, with the vendor's key location and answer shapes.
 */

type NativeHandler = (req: Request, res: Response) => Promise<void>;
type ErrorShape = (error: AppError, req: Request, res: Response) => unknown;

/** Runs a handler and answers its AppErrors in the vendor's shape; anything else goes to the generic handler. */
function vendorShaped(handler: NativeHandler, shape: ErrorShape) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      await handler(req, res);
    } catch (error) {
      if (!(error instanceof AppError)) return next(error);
      sendErrorAs(res, error, shape(error, req, res));
    }
  };
}

/** The drop-ins read the body before they know the key; from there on a push like any other. */
async function accept(
  deps: IngestDeps,
  req: Request,
  res: Response,
  key: string | undefined,
  adapterName: string,
  request: AdapterRequest,
): Promise<AcceptedPayload> {
  const adapter = adapterNamed(deps.registry, adapterName);
  const integration = authenticate(deps, key, adapter.name);
  res.locals.integrationId = integration.id;
  return acceptAdapterPush(deps, integration, adapter, {
    requestId: res.locals.requestId as string,
    query: req.query,
    readRequest: async () => request,
  });
}

/** PagerDuty answers problems as `{status: "invalid event", message, errors: [...]}`. */
const pagerDutyError: ErrorShape = (error) => ({
  status: error.status === 400 ? 'invalid event' : error.code,
  message: error.status === 400 ? 'Event object is invalid' : error.message,
  errors: [error.message],
});

function pagerDutyEvent(
  deps: IngestDeps,
  keyField: 'routing_key' | 'service_key',
  answerKey: 'dedup_key' | 'incident_key',
  status: number,
): NativeHandler {
  return async (req, res) => {
    res.locals.route = 'native_pagerduty';
    const rawBody = await readRawBody(req, res, deps.payloadLimitBytes());
    // The integration key travels inside the body: parse once here for it; the adapter pipeline parses as usual.
    let parsed: unknown;
    try {
      parsed = parseJsonWithinDepth(rawBody.toString('utf8'), 'request body');
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('InvalidParameter', 'the request body is not valid JSON');
    }
    const record = isPlainObject(parsed) ? parsed : {};
    const key = typeof record[keyField] === 'string' && record[keyField] !== '' ? record[keyField] : undefined;
    if (key === undefined) throw new AppError('InvalidParameter', `'${keyField}' is missing or blank`);
    const accepted = await accept(deps, req, res, key, 'pagerduty', adapterRequestOf(req, rawBody));
    const action = keyField === 'routing_key' ? record.event_action : record.event_type;
    // An acknowledge maps to no event (the mapping checked its key): it acknowledges the alert's incident.
    if (action === 'acknowledge') await acknowledge(deps, res, String(record[answerKey]), 'PagerDuty Events API');
    res.status(status).json({
      status: 'success',
      message: 'Event processed',
      [answerKey]: accepted.events[0]?.alert_key ?? record[answerKey] ?? null,
    });
  };
}

/**
 * Queues "acknowledge the incident of this alert" for an authenticated drop-in request, answering only once Redis
 * has it (nothing accepted is lost); the worker applies it as `POST /api/v1/incidents/{id}/ack` does. Like PagerDuty
 * and Opsgenie, which process events later, the answer does not say whether the alert exists.
 */
async function acknowledge(
  deps: IngestDeps,
  res: Response,
  alertKey: string,
  api: string,
  by?: { user?: unknown; note?: unknown },
): Promise<void> {
  const integrationId = res.locals.integrationId as string;
  await deps.producer.enqueueAcknowledge({
    integration_id: integrationId,
    alert_key: alertKey,
    request_id: res.locals.requestId as string,
    received_at: deps.clock(),
    actor: typeof by?.user === 'string' && by.user !== '' ? by.user : `integration ${integrationId} (${api})`,
    ...(typeof by?.note === 'string' && by.note !== '' && { note: by.note }),
  });
}

/** Opsgenie's key: `Authorization: GenieKey K` (the usual integration_key places work too). */
function genieKeyOf(req: Request): string | undefined {
  const match = /^GenieKey\s+(.+)$/i.exec((req.get('authorization') ?? '').trim());
  return match ? match[1].trim() : integrationKeyOf(req);
}

const tookSeconds = (res: Response): number =>
  Math.round((performance.now() - (res.locals.nativeStarted as number)) * 1000) / 1e6;

/** Opsgenie answers problems as `{message, took, requestId}`. */
const opsgenieError: ErrorShape = (error, _req, res) => ({
  message: error.message,
  took: tookSeconds(res),
  requestId: res.locals.requestId as string,
});

/** The body of an Opsgenie action request (`{user, source, note}`, optional), or {} when it is not an object. */
function actionBody(request: AdapterRequest): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(request.rawBody.toString('utf8'));
    return isPlainObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

function opsgenieAlert(deps: IngestDeps, action?: 'close' | 'acknowledge'): NativeHandler {
  return async (req, res) => {
    res.locals.route = 'native_opsgenie';
    res.locals.nativeStarted = performance.now();
    const rawBody = await readRawBody(req, res, deps.payloadLimitBytes());
    const request = adapterRequestOf(req, rawBody);
    if (action) {
      const identifierType = request.query.identifierType ?? 'alias';
      // alertgate has no Opsgenie alert ids: only the alias (the sender's own key) identifies an alert.
      if (identifierType !== 'alias')
        throw new AppError('InvalidParameter', `identifierType must be alias, got ${JSON.stringify(identifierType)}`);
      request.query = { ...request.query, _action: action, _alias: String(req.params.alias) };
      if (rawBody.length === 0) request.contentType = 'application/json';
    }
    await accept(deps, req, res, genieKeyOf(req), 'opsgenie', request);
    // Opsgenie cuts nothing, alertgate's keys are 255 characters: the same cut as the mapping's create and close.
    if (action === 'acknowledge')
      await acknowledge(
        deps,
        res,
        truncateCodePoints(String(req.params.alias), 255),
        'Opsgenie Alert API',
        actionBody(request),
      );
    res
      .status(202)
      .json({ result: 'Request will be processed', took: tookSeconds(res), requestId: res.locals.requestId as string });
  };
}

/** PagerDuty Events API v2 and v1, Opsgenie Alert API create, close and acknowledge (contract §2). */
export function nativePushRouter(deps: IngestDeps): Router {
  const router = Router();
  router.post('/v2/enqueue', vendorShaped(pagerDutyEvent(deps, 'routing_key', 'dedup_key', 202), pagerDutyError));
  router.post(
    '/generic/2010-04-15/create_event.json',
    vendorShaped(pagerDutyEvent(deps, 'service_key', 'incident_key', 200), pagerDutyError),
  );
  router.post('/v2/alerts', vendorShaped(opsgenieAlert(deps), opsgenieError));
  router.post('/v2/alerts/:alias/close', vendorShaped(opsgenieAlert(deps, 'close'), opsgenieError));
  router.post('/v2/alerts/:alias/acknowledge', vendorShaped(opsgenieAlert(deps, 'acknowledge'), opsgenieError));
  return router;
}
