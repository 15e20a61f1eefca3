import type { Router } from 'express';
import { notFound } from '../../errors.js';
import { sendData } from '../respond.js';
import type { ApiDeps } from './api-deps.js';

/** `GET /channels/{id}/rules`: the channel's rules as configured in alertgate.yaml, read-only. */
export function channelRulesRoute(router: Router, deps: Pick<ApiDeps, 'config'>): void {
  router.get('/channels/:id/rules', (req, res) => {
    const channel = deps.config().channels.find((candidate) => candidate.id === req.params.id);
    if (!channel) throw notFound('channel', req.params.id as string);
    sendData(res, {
      channel_id: channel.id,
      source: deps.config().source,
      settings: channel.settings ?? { id: channel.id },
    });
  });
}
