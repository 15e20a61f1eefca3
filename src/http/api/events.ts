import type { Router } from 'express';
import { invalidParameter } from '../../errors.js';
import { getEvent, listEvents, parseEventCursor } from '../../store/event-search.js';
import { eventOutcomes } from '../../worker/trace.js';
import { intParam, listParam, stringParam, textParam, timeParam, viewOptions } from '../request.js';
import { sendData, sendFound } from '../respond.js';
import type { ApiDeps } from './api-deps.js';

/** `/events` (search, newest first) and `/events/{id}` (one, with its trace). */
export function eventRoutes(router: Router, deps: Pick<ApiDeps, 'store'>): void {
  router.get('/events', async (req, res) => {
    const cursorText = stringParam(req, 'cursor');
    const cursor = cursorText === undefined ? undefined : parseEventCursor(cursorText);
    if (cursorText !== undefined && cursor === undefined)
      throw invalidParameter(`cursor: must be a next_cursor of this list, got ${JSON.stringify(cursorText)}`);
    const filter = {
      integrationIds: listParam(req, 'integration'),
      channelIds: listParam(req, 'channel'),
      outcomes: listParam(req, 'outcome', eventOutcomes),
      alertKeys: listParam(req, 'alert_key'),
      requestIds: listParam(req, 'request_id'),
      alertIds: listParam(req, 'alert'),
      incidentIds: listParam(req, 'incident'),
      since: timeParam(req, 'since'),
      until: timeParam(req, 'until'),
      text: textParam(req, 'q'),
      cursor,
      limit: intParam(req, 'limit', 1, 500) ?? 50,
    };
    sendData(res, await listEvents(deps.store.db, deps.store.dialect, filter, viewOptions(req)));
  });
  router.get('/events/:id', async (req, res) => {
    sendFound(res, await getEvent(deps.store.db, req.params.id, viewOptions(req)), 'event', req.params.id);
  });
}
