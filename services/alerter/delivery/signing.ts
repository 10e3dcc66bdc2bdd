import { createHmac, sign as edSign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { PortentError } from '../../common/errors.ts';
import { AlerterErrorCodes } from '../errors.ts';
import { secretKey } from '../secrets.ts';

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
export const WebhookHeaders = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

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
 * space-separated signatures: during a rotation's grace period the old and
 * the new secret both sign, so receivers keep verifying while they switch.
 * An Ed25519 key adds a `v1a` signature.
 */
export function signatureHeaders(content: SignedContent, secrets: readonly string[], ed25519?: KeyObject): Record<string, string> {
  const sigs = secrets.map((s) => sign(content, s));
  if (ed25519 !== undefined) sigs.push(signV1a(content, ed25519));
  return {
    [WebhookHeaders.id]: content.id,
    [WebhookHeaders.timestamp]: String(content.timestamp),
    [WebhookHeaders.signature]: sigs.join(' '),
  };
}

/*
 * Standard Webhooks, asymmetric signatures: "| Signature scheme | ed25519 |
 * [...] | Signature identifier | v1a |", over the same `{msg_id}.{timestamp}.{payload}`
 * content; public keys serialise as `whpk_` + base64.
 */
export function signV1a(content: SignedContent, key: KeyObject): string {
  return `v1a,${edSign(null, Buffer.from(`${content.id}.${content.timestamp}.${content.body}`, 'utf8'), key).toString('base64')}`;
}
