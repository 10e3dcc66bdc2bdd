import { trace } from '@opentelemetry/api';
import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * JSON logs on stdout (pino). Secrets never reach a log: the paths below are
 * censored wherever they appear in a logged object. A line written inside a
 * traced span carries `trace_id`, `span_id` and `trace_flags` (the field
 * names of OpenTelemetry's log data model), so a log search finds every line
 * of one batch's trip from sensor to webhook.
 */
export function createLogger(service: string, level: LogLevel): Logger {
  return pino({
    name: service,
    level,
    redact: {
      paths: ['secret', '*.secret', 'headers.authorization', 'req.headers.authorization', 'token'],
      censor: '[redacted]',
    },
    mixin: traceFields,
  });
}

/** The active span's ids, or nothing outside a span (or when tracing is off). */
export function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  if (!trace.isSpanContextValid(span.spanContext())) return {};
  return { trace_id: traceId, span_id: spanId, trace_flags: `0${traceFlags.toString(16)}`.slice(-2) };
}
