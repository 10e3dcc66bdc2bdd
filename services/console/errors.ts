/**
 * Every error the console's API answers with, each with a stable code and
 * its HTTP status; handlers and tests read the code, never the message.
 */
import { PortentError, isPortentError } from '../common/errors.ts';

export const ConsoleErrorCodes = {
  UNAUTHORIZED: 'CONSOLE_ERR_UNAUTHORIZED',
  FORBIDDEN: 'CONSOLE_ERR_FORBIDDEN',
  INVALID_REQUEST: 'CONSOLE_ERR_INVALID_REQUEST',
  NOT_FOUND: 'CONSOLE_ERR_NOT_FOUND',
  ROUTE_NOT_FOUND: 'CONSOLE_ERR_ROUTE_NOT_FOUND',
  NOT_READY: 'CONSOLE_ERR_NOT_READY',
  ALERTER_UNREACHABLE: 'CONSOLE_ERR_ALERTER_UNREACHABLE',
  INTERNAL: 'CONSOLE_ERR_INTERNAL',
} as const;

export type ConsoleErrorCode = (typeof ConsoleErrorCodes)[keyof typeof ConsoleErrorCodes];

const STATUS: Readonly<Record<ConsoleErrorCode, number>> = {
  CONSOLE_ERR_UNAUTHORIZED: 401,
  CONSOLE_ERR_FORBIDDEN: 403,
  CONSOLE_ERR_INVALID_REQUEST: 400,
  CONSOLE_ERR_NOT_FOUND: 404,
  CONSOLE_ERR_ROUTE_NOT_FOUND: 404,
  CONSOLE_ERR_NOT_READY: 503,
  CONSOLE_ERR_ALERTER_UNREACHABLE: 502,
  CONSOLE_ERR_INTERNAL: 500,
};

export function consoleError(code: ConsoleErrorCode, message: string, fields: Readonly<Record<string, unknown>> = {}, cause?: unknown): PortentError<ConsoleErrorCode> {
  return new PortentError(code, message, { fields, cause, canRetry: code === ConsoleErrorCodes.NOT_READY || code === ConsoleErrorCodes.ALERTER_UNREACHABLE });
}

/** The status and body of an error answer; fastify's own errors (schema, body size) keep their 4xx status. */
export function errorReply(err: unknown): { status: number; body: { error: { code: string; message: string } } } {
  if (isPortentError(err) && err.code in STATUS) {
    return { status: STATUS[err.code as ConsoleErrorCode], body: { error: { code: err.code, message: err.message } } };
  }
  const status = (err as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: { code: ConsoleErrorCodes.INVALID_REQUEST, message: err instanceof Error ? err.message : 'invalid request' } } };
  }
  return { status: 500, body: { error: { code: ConsoleErrorCodes.INTERNAL, message: 'internal error' } } };
}
