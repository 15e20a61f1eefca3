import type { Router } from 'express';
import { changeStatuses } from '../../changes/types.js';
import { invalidParameter } from '../../errors.js';
import { getChange, listChanges } from '../../store/changes-repo.js';
import { intParam, listParam, pageParams } from '../request.js';
import { sendData, sendFound } from '../respond.js';
import type { ApiDeps } from './api-deps.js';

/** `label=service:checkout` (or `service=checkout`), repeatable or comma-separated: every pair must match. */
function labelPairs(values: string[] | undefined): Array<[string, string]> | undefined {
  return values?.map((value) => {
    const match = /^([^:=]+)[:=](.*)$/.exec(value);
    if (!match) throw invalidParameter(`label: must be name:value, got ${JSON.stringify(value)}`);
    return [match[1], match[2]];
  });
}

/** `/changes` (list with filters, newest first) and `/changes/{id}`. */
export function changeRoutes(router: Router, deps: Pick<ApiDeps, 'store'>): void {
  router.get('/changes', async (req, res) => {
    const filter = {
      integrationIds: listParam(req, 'integration'),
      statuses: listParam(req, 'status', changeStatuses),
      labels: labelPairs(listParam(req, 'label')),
      since: intParam(req, 'since', 0, Number.MAX_SAFE_INTEGER),
      until: intParam(req, 'until', 0, Number.MAX_SAFE_INTEGER),
      ...pageParams(req),
    };
    sendData(res, await listChanges(deps.store.db, filter));
  });
  router.get('/changes/:id', async (req, res) => {
    sendFound(res, await getChange(deps.store.db, req.params.id), 'change', req.params.id);
  });
}
