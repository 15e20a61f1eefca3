import { parentPort, workerData } from 'node:worker_threads';
import type { Settings } from './config/settings.js';
import { startRoles, type ThreadRoles } from './main.js';
import { createLogger } from './observability/logger.js';

// Entry of the threads of `alertgate start` and `alertgate worker` (the worker, the notifier): runs the roles it is
// given with the host's settings and answers the host's messages. An entry point like cli.ts, so it may import the
// composition root; it builds the thread's root logger (at the host's LOG_LEVEL, from settings) once.
const { settings, roles } = workerData as { settings: Settings; roles: ThreadRoles };
const port = parentPort;
if (!port) throw new Error('worker-thread must run on a worker thread');

startRoles(roles, settings, createLogger(settings.logLevel)).then(
  (running) => {
    port.on('message', (message: { type: string; id?: number; text?: string }) => {
      if (message.type === 'stop') {
        void running.stop().then(() => {
          port.postMessage({ type: 'stopped' });
          port.close();
        });
      } else if (message.type === 'reload') void running.reload(message.text);
      else if (message.type === 'metrics')
        void running.metricsJson().then((metrics) => port.postMessage({ type: 'metrics', id: message.id, metrics }));
    });
    port.postMessage({ type: 'started' });
  },
  (error: Error) => port.postMessage({ type: 'failed', message: error.message }),
);
