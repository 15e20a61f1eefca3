import type { Router } from 'express';
import { runDryRun } from '../../dry-run/run.js';
import { sendData } from '../respond.js';
import type { ApiDeps } from './api-deps.js';

/** `/rules/dry-run`: what the rules would do to some events, nothing stored. */
export function dryRunRoutes(
  router: Router,
  deps: Pick<ApiDeps, 'store' | 'clock' | 'config' | 'knownAdapters'>,
): void {
  router.post('/rules/dry-run', async (req, res) => {
    // No environment for `${VAR}`: a fragment sent over HTTP must not read the server's variables.
    const fragment = { env: {}, ...(deps.knownAdapters && { knownAdapters: deps.knownAdapters() }) };
    sendData(res, await runDryRun({ store: deps.store, config: deps.config(), clock: deps.clock, fragment }, req.body));
  });
}
