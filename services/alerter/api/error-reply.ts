import type { FastifyError, FastifySchemaValidationError } from 'fastify';
import { AlerterErrorCodes, isAlerterError } from '../errors.ts';
import type { AlerterErrorCode } from '../errors.ts';

/** The JSON every API error is answered with. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

export interface ErrorReply {
  readonly status: number;
  readonly body: ErrorBody;
}

/**
 * HTTP status per code. Codes that never reach a client (delivery, signing)
 * are server errors. 400 means the request breaks the OpenAPI schema; 422
 * (RFC 9110 §15.5.21) means it fits the schema but breaks a rule the schema
 * cannot state: a port range with from > to, a URL the SSRF guard refuses,
 * PAGERDUTY without a routing key, a silence that ends before it starts.
 */
const STATUS: Readonly<Record<AlerterErrorCode, number>> = {
  ALERTER_ERR_UNAUTHORIZED: 401,
  ALERTER_ERR_INVALID_REQUEST: 400,
  ALERTER_ERR_BODY_TOO_LARGE: 413,
  ALERTER_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  ALERTER_ERR_ROUTE_NOT_FOUND: 404,
  ALERTER_ERR_METHOD_NOT_ALLOWED: 405,
  ALERTER_ERR_NOT_READY: 503,
  ALERTER_ERR_INTERNAL: 500,
  ALERTER_ERR_SUBSCRIPTION_NOT_FOUND: 404,
  ALERTER_ERR_NOT_FOUND: 404,
  ALERTER_ERR_FORBIDDEN: 403,
  ALERTER_ERR_SUBSCRIPTION_INVALID: 422,
  ALERTER_ERR_SILENCE_INVALID: 422,
  ALERTER_ERR_SUBSCRIPTION_WRITE_FAILED: 503,
  ALERTER_ERR_WRITE_FAILED: 503,
  ALERTER_ERR_SECRET_INVALID: 500,
  ALERTER_ERR_DELIVERY_FAILED: 500,
  ALERTER_ERR_DELIVERY_ABORTED: 500,
  ALERTER_ERR_EMPTY_ALERT: 500,
  ALERTER_ERR_BATCH_LOST: 500,
};

/** Fastify's own request errors, by their code. */
const FASTIFY_CODES: Readonly<Record<string, AlerterErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: AlerterErrorCodes.BODY_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: AlerterErrorCodes.UNSUPPORTED_MEDIA_TYPE,
};

/**
 * Maps any error thrown while handling a request to a status and body.
 * Server errors get a fixed message: their text may hold internals (broker
 * addresses, stack details) that a client has no use for.
 */
export function errorReply(err: unknown): ErrorReply {
  if (isAlerterError(err)) {
    const status = STATUS[err.code];
    // 503s (not ready, Kafka write failed) are worth telling apart: the client should retry.
    if (status < 500 || status === 503) return reply(status, err.code, err.message);
  }
  if (isFastifyError(err)) {
    if (err.validation !== undefined) return reply(400, AlerterErrorCodes.INVALID_REQUEST, err.message);
    const status = err.statusCode ?? 500;
    const code = FASTIFY_CODES[err.code] ?? (status < 500 ? AlerterErrorCodes.INVALID_REQUEST : AlerterErrorCodes.INTERNAL);
    if (status < 500) return reply(status, code, err.message);
  }
  return reply(500, AlerterErrorCodes.INTERNAL, 'internal error');
}

function reply(status: number, code: string, message: string): ErrorReply {
  return { status, body: { error: { code, message } } };
}

function isFastifyError(err: unknown): err is FastifyError {
  return err instanceof Error && typeof (err as Partial<FastifyError>).code === 'string';
}

/**
 * ajv's own messages omit the offending property for two keywords ("must NOT
 * have additional properties", "must have required property 'url'" names it
 * only in quotes at the end); this names the field's full path every time,
 * e.g. "body/colour is not an allowed property", "body/ports/2 must be <= 65535".
 */
export function formatSchemaErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const text = errors.map((e) => {
    const path = `${dataVar}${e.instancePath}`;
    if (e.keyword === 'additionalProperties') return `${path}/${String(e.params['additionalProperty'])} is not an allowed property`;
    if (e.keyword === 'required') return `${path}/${String(e.params['missingProperty'])} is required`;
    return `${path} ${e.message ?? 'is invalid'}`;
  });
  return new Error(text.join(', '));
}
