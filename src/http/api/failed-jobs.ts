import type { Router } from 'express';
import { notFound } from '../../errors.js';
import { intParam } from '../request.js';
import { sendData } from '../respond.js';
import type { ApiDeps } from './api-deps.js';

/** `/failed-jobs`: ingest jobs the worker gave up on, and their retry. */
export function failedJobRoutes(router: Router, deps: Pick<ApiDeps, 'queue'>): void {
  router.get('/failed-jobs', async (req, res) => {
    const limit = intParam(req, 'limit', 1, 500) ?? 50;
    const jobs = await deps.queue.getFailed(0, limit - 1);
    sendData(res, {
      items: jobs.map((job) => ({
        id: job.id,
        failed_reason: job.failedReason,
        attempts: job.attemptsMade,
        created_at: job.timestamp,
        finished_at: job.finishedOn ?? null,
        event_ids: Array.isArray(job.data?.events) ? job.data.events.map((event) => event.event_id) : [],
      })),
    });
  });
  router.post('/failed-jobs/:id/retry', async (req, res) => {
    const job = await deps.queue.getJob(req.params.id);
    if (!job || !(await job.isFailed())) throw notFound('failed job', req.params.id);
    await job.retry('failed');
    sendData(res, { id: job.id, retried: true });
  });
}
