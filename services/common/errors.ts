/**
 * Errors shared by every service. Each has a stable `code` that retry,
 * dead-letter and drop decisions read (never the message text), a `canRetry`
 * flag, an optional `cause` and structured `fields`.
 */
export const CommonErrorCodes = {
  CONFIG_INVALID: 'PORTENT_ERR_CONFIG_INVALID',
  AVRO_BAD_HEADER: 'PORTENT_ERR_AVRO_BAD_HEADER',
  AVRO_UNKNOWN_FINGERPRINT: 'PORTENT_ERR_AVRO_UNKNOWN_FINGERPRINT',
  AVRO_CORRUPT_BODY: 'PORTENT_ERR_AVRO_CORRUPT_BODY',
  AVRO_WRONG_SCHEMA: 'PORTENT_ERR_AVRO_WRONG_SCHEMA',
  KAFKA_UNAVAILABLE: 'PORTENT_ERR_KAFKA_UNAVAILABLE',
  KAFKA_AUTH_FAILED: 'PORTENT_ERR_KAFKA_AUTH_FAILED',
} as const;

export type CommonErrorCode = (typeof CommonErrorCodes)[keyof typeof CommonErrorCodes];

export interface PortentErrorOptions {
  cause?: unknown;
  canRetry?: boolean;
  fields?: Readonly<Record<string, unknown>>;
}

export class PortentError<C extends string = string> extends Error {
  readonly code: C;
  readonly canRetry: boolean;
  readonly fields: Readonly<Record<string, unknown>>;

  constructor(code: C, message: string, options: PortentErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PortentError';
    this.code = code;
    this.canRetry = options.canRetry ?? false;
    this.fields = Object.freeze({ ...options.fields });
  }
}

export function isPortentError(err: unknown): err is PortentError {
  return err instanceof PortentError;
}
