import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout at `level` (LOG_LEVEL, see config/settings). */
export function createLogger(level = 'info'): Logger {
  return pino({ level, base: { service: 'alertgate' }, timestamp: pino.stdTimeFunctions.isoTime });
}
