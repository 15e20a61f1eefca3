import { createServer, type Server } from 'node:http';
import { AggregatorRegistry } from 'prom-client';
import type { Metrics, MetricsJson } from './metrics.js';

/**
 * /metrics and /healthz of a worker-only process (METRICS_PORT): the gateway serves its own through express. `extra`:
 * the metrics of the process's other threads (its notifier), summed with this thread's.
 */
export function serveWorkerMetrics(port: number, metrics: Metrics, extra?: () => Promise<MetricsJson>): Server {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      void Promise.all([metrics.registry.getMetricsAsJSON(), extra ? extra().catch(() => []) : []])
        .then(([own, others]) => AggregatorRegistry.aggregate([own, others]).metrics())
        .then((body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body));
    } else if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else res.writeHead(404).end();
  });
  return server.listen(port);
}
