import { createHmac, createPrivateKey, generateKeyPairSync, randomBytes, sign as edSign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { PortentError } from '../../common/errors.ts';
import { AlerterErrorCodes } from '../errors.ts';

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

export interface Ed25519Pair {
  /** PKCS#8 DER, base64: what the subscription record stores. */
  readonly privateKey: string;
  /** `whpk_` + base64 of the raw 32-byte public key: what the subscriber verifies with. */
  readonly publicKey: string;
}

export function generateEd25519(): Ed25519Pair {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'), publicKey: publicKeyOf(privateKey) };
}

export function ed25519Key(stored: string): KeyObject {
  return createPrivateKey({ key: Buffer.from(stored, 'base64'), format: 'der', type: 'pkcs8' });
}

/** The JWK `x` member is the raw 32-byte public key (RFC 8037). */
export function publicKeyOf(key: KeyObject | string): string {
  const priv = typeof key === 'string' ? ed25519Key(key) : key;
  return `whpk_${Buffer.from(priv.export({ format: 'jwk' }).x ?? '', 'base64url').toString('base64')}`;
}

function badSecret(problem: string): PortentError {
  // The secret itself is never part of the message or fields.
  return new PortentError(AlerterErrorCodes.SECRET_INVALID, `signing secret ${problem}`);
}
