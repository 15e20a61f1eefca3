import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout; LOG_LEVEL sets the level (default info). */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'alertgate' }, timestamp: pino.stdTimeFunctions.isoTime });
}
