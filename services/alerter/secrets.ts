import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { PortentError } from '../common/errors.ts';
import { AlerterErrorCodes } from './errors.ts';

/*
 * A subscription's key material: its Standard Webhooks secret ("Signing
 * secret: Random. At least 24 bytes (192 bits, 512 maximum)"; "base64
 * encoded, prefixed with `whsec_`") and its optional Ed25519 key pair.
 * Created with the subscription, shown by the API, used by delivery/signing.ts.
 */
const SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;

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
