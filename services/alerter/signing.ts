import { createHmac, randomBytes } from 'node:crypto';
import { PortentError } from '../common/errors.ts';
import { AlerterErrorCodes } from './errors.ts';

/*
 * Standard Webhooks 1.0.0, symmetric signatures
 * (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
 *
 *   "The content to be signed is therefore: `{msg_id}.{timestamp}.{payload}`."
 *
 *   | Signature scheme     | `HMAC-SHA256`                                                     |
 *   | Signing secret       | Random. At least 24 bytes (192 bits, 512 maximum)                 |
 *   | Secret serialization | base64 encoded, prefixed with `whsec_` for easy identification.   |
 *   | Signature identifier | `v1`                                                              |
 *
 *   "a symmetric signature will be v1, followed by a comma (`,`), followed by
 *   the base64 encoded signature."
 *
 *   "`webhook-timestamp`: integer unix timestamp (seconds since epoch)."
 *
 *   "The signature header is a space delimited list of signatures [...] to
 *   support zero downtime secret rotation."
 *
 *   "It's important that both the message id and the timestamp not be user
 *   controlled, or at the very least not be allowed to include any `.`"
 */
const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;

export const WebhookHeaders = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

/** A fresh secret for a new subscription: `whsec_` + base64 of 32 random bytes. */
export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/** The HMAC key a serialised secret stands for; throws ALERTER_ERR_SECRET_INVALID if it is not one. */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw badSecret('does not start with whsec_');
  const b64 = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw badSecret('is not base64');
  const key = Buffer.from(b64, 'base64');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) throw badSecret(`has ${key.length} bytes, not ${MIN_SECRET_BYTES}..${MAX_SECRET_BYTES}`);
  return key;
}

export interface SignedContent {
  /** The webhook-id; never contains '.' (see the spec excerpt above). */
  readonly id: string;
  /** Unix seconds of this attempt. */
  readonly timestamp: number;
  /** The exact bytes sent as the body. */
  readonly body: string;
}

/** One `v1,<base64>` signature of `content` with `secret`. */
export function sign(content: SignedContent, secret: string): string {
  if (content.id.includes('.')) throw new PortentError(AlerterErrorCodes.INTERNAL, 'webhook-id must not contain "."', { fields: { id: content.id } });
  if (!Number.isSafeInteger(content.timestamp)) throw new PortentError(AlerterErrorCodes.INTERNAL, 'webhook-timestamp must be integer seconds');
  const mac = createHmac('sha256', secretKey(secret)).update(`${content.id}.${content.timestamp}.${content.body}`, 'utf8').digest('base64');
  return `v1,${mac}`;
}

/**
 * The three Standard Webhooks headers. Several secrets give several
 * space-separated signatures, which is how rotation will keep old receivers
 * verifying while they switch over.
 */
export function signatureHeaders(content: SignedContent, secrets: readonly string[]): Record<string, string> {
  return {
    [WebhookHeaders.id]: content.id,
    [WebhookHeaders.timestamp]: String(content.timestamp),
    [WebhookHeaders.signature]: secrets.map((s) => sign(content, s)).join(' '),
  };
}

function badSecret(problem: string): PortentError {
  // The secret itself is never part of the message or fields.
  return new PortentError(AlerterErrorCodes.SECRET_INVALID, `signing secret ${problem}`);
}
