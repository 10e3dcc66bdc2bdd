import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * JSON logs on stdout (pino). Secrets never reach a log: the paths below are
 * censored wherever they appear in a logged object.
 */
export function createLogger(service: string, level: LogLevel): Logger {
  return pino({
    name: service,
    level,
    redact: {
      paths: ['secret', '*.secret', 'headers.authorization', 'req.headers.authorization', 'token'],
      censor: '[redacted]',
    },
  });
}
