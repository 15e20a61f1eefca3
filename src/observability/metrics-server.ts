import { createServer, type Server } from 'node:http';
import type { Metrics } from './metrics.js';

/** /metrics and /healthz of a worker-only process (METRICS_PORT): the gateway serves its own through express. */
export function serveWorkerMetrics(port: number, metrics: Metrics): Server {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      void metrics.registry
        .metrics()
        .then((body) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body));
    } else if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else res.writeHead(404).end();
  });
  return server.listen(port);
}
