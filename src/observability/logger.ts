import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * A root logger: JSON logs on stdout at `level` (LOG_LEVEL, see config/settings). Built once per thread by an entry
 * point (main.ts, the worker thread, a CLI command); every part is handed a child of it naming its `role`.
 */
export function createLogger(level = 'info'): Logger {
  return pino({ level, base: { service: 'alertgate' }, timestamp: pino.stdTimeFunctions.isoTime });
}
