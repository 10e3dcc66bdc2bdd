import { PortentError, isPortentError } from '../common/errors.ts';

/**
 * Every error the alerter raises, each with a stable code. The HTTP layer maps
 * codes to statuses and the pipeline maps them to dead-letter reasons; neither
 * reads message text.
 */
export const AlerterErrorCodes = {
  UNAUTHORIZED: 'ALERTER_ERR_UNAUTHORIZED',
  INVALID_REQUEST: 'ALERTER_ERR_INVALID_REQUEST',
  BODY_TOO_LARGE: 'ALERTER_ERR_BODY_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'ALERTER_ERR_UNSUPPORTED_MEDIA_TYPE',
  ROUTE_NOT_FOUND: 'ALERTER_ERR_ROUTE_NOT_FOUND',
  METHOD_NOT_ALLOWED: 'ALERTER_ERR_METHOD_NOT_ALLOWED',
  NOT_READY: 'ALERTER_ERR_NOT_READY',
  INTERNAL: 'ALERTER_ERR_INTERNAL',
  SUBSCRIPTION_NOT_FOUND: 'ALERTER_ERR_SUBSCRIPTION_NOT_FOUND',
  NOT_FOUND: 'ALERTER_ERR_NOT_FOUND',
  FORBIDDEN: 'ALERTER_ERR_FORBIDDEN',
  SUBSCRIPTION_INVALID: 'ALERTER_ERR_SUBSCRIPTION_INVALID',
  SILENCE_INVALID: 'ALERTER_ERR_SILENCE_INVALID',
  SUBSCRIPTION_WRITE_FAILED: 'ALERTER_ERR_SUBSCRIPTION_WRITE_FAILED',
  WRITE_FAILED: 'ALERTER_ERR_WRITE_FAILED',
  SECRET_INVALID: 'ALERTER_ERR_SECRET_INVALID',
  DELIVERY_FAILED: 'ALERTER_ERR_DELIVERY_FAILED',
  DELIVERY_ABORTED: 'ALERTER_ERR_DELIVERY_ABORTED',
  EMPTY_ALERT: 'ALERTER_ERR_EMPTY_ALERT',
  BATCH_LOST: 'ALERTER_ERR_BATCH_LOST',
} as const;

export type AlerterErrorCode = (typeof AlerterErrorCodes)[keyof typeof AlerterErrorCodes];

export type AlerterError = PortentError<AlerterErrorCode>;

const CODES: ReadonlySet<string> = new Set(Object.values(AlerterErrorCodes));

export function isAlerterError(err: unknown): err is AlerterError {
  return isPortentError(err) && CODES.has(err.code);
}

export function subscriptionNotFound(id: string): AlerterError {
  return new PortentError(AlerterErrorCodes.SUBSCRIPTION_NOT_FOUND, `subscription ${id} not found`, { fields: { id } });
}

export function subscriptionInvalid(field: string, message: string): AlerterError {
  return new PortentError(AlerterErrorCodes.SUBSCRIPTION_INVALID, `${field} ${message}`, { fields: { field } });
}

/** A silence whose fields are each valid but do not fit together (ends before it starts). */
export function silenceInvalid(field: string, message: string): AlerterError {
  return new PortentError(AlerterErrorCodes.SILENCE_INVALID, `${field} ${message}`, { fields: { field } });
}

export function subscriptionWriteFailed(id: string, cause: unknown): AlerterError {
  return new PortentError(AlerterErrorCodes.SUBSCRIPTION_WRITE_FAILED, `could not store subscription ${id}`, {
    cause,
    canRetry: true,
    fields: { id },
  });
}

export function unauthorized(): AlerterError {
  return new PortentError(AlerterErrorCodes.UNAUTHORIZED, 'missing or invalid bearer token');
}

export function forbidden(scope: string): AlerterError {
  return new PortentError(AlerterErrorCodes.FORBIDDEN, `this token lacks the ${scope} scope`, { fields: { scope } });
}

export function notReady(what: string): AlerterError {
  return new PortentError(AlerterErrorCodes.NOT_READY, `${what} is not ready yet`, { canRetry: true, fields: { what } });
}

/** Why one delivery attempt failed; `status` is set only when the receiver answered. */
export type DeliveryFailureReason = 'status' | 'redirect' | 'gone' | 'timeout' | 'network' | 'blocked';

export interface DeliveryFailureFields {
  readonly reason: DeliveryFailureReason;
  readonly status: number | null;
  readonly attempt: number;
  readonly subscriptionId: string;
}

/**
 * A webhook that could not be delivered. `canRetry` is false when the receiver
 * asked us to stop (410 Gone); `attempt` is the attempt that failed (1-based).
 */
export function deliveryFailed(f: DeliveryFailureFields, message: string, canRetry: boolean, cause?: unknown): AlerterError {
  return new PortentError(AlerterErrorCodes.DELIVERY_FAILED, message, {
    cause,
    canRetry,
    fields: { ...f, canRetry },
  });
}

/** Delivery stopped because the alerter is shutting down: the record must not be committed. */
export function deliveryAborted(subscriptionId: string, cause: unknown): AlerterError {
  return new PortentError(AlerterErrorCodes.DELIVERY_ABORTED, `delivery to ${subscriptionId} aborted by shutdown`, {
    cause,
    canRetry: true,
    fields: { subscriptionId },
  });
}

/** A record on the alerts topic without a value: nothing to decode or deliver. */
export function emptyAlert(): AlerterError {
  return new PortentError(AlerterErrorCodes.EMPTY_ALERT, 'alert record has no value');
}

/**
 * The consumer lost its claim on the batch (heartbeat failed, e.g. during a
 * rebalance): stop without committing, another member will deliver it.
 */
export function batchLost(cause: unknown): AlerterError {
  return new PortentError(AlerterErrorCodes.BATCH_LOST, 'consumer lost the batch while delivering', { cause, canRetry: true });
}
