/**
 * Keyed, prefix-preserving pseudonyms for destination addresses: Crypto-PAn
 * (Xu, Fan, Ammar, Moon, "Prefix-preserving IP address anonymization",
 * ICNP 2002). Two addresses that share a k-bit prefix get pseudonyms that
 * share a k-bit prefix, so the detector can still group by network and
 * correlate destinations with later sources (DSC), without real addresses.
 *
 * The 32-byte key: bytes 0-15 are the AES-128 key K, bytes 16-31 encrypted
 * with K are the pad P. For bit i of an L-bit address a (L = 32 or 128):
 *
 *   input_i  = the first i bits of a, then bits i.. of P (P's remaining bytes after L bits)
 *   output bit i = a_i XOR msb(AES_K(input_i))
 *
 * which is the reference implementation (panonymizer.cpp) for IPv4, and its
 * usual extension to IPv6 (the whole 128-bit block). Same key, same
 * pseudonyms, on every run and every sensor.
 *
 * Speed: the L blocks of one address are encrypted in one ECB call (ECB is
 * exactly "AES on each block", so one long-lived cipher serves all calls),
 * and results are cached, since a sensor sees the same destinations again and again.
 */
import { createCipheriv, createHash } from 'node:crypto';
import type { Cipheriv } from 'node:crypto';
import { formatIp, parseIp } from './ip.ts';

const CACHE_LIMIT = 100_000;

/** A 64-hex-digit key is used as the raw Crypto-PAn key; any other passphrase (≥ 16 characters) is hashed with SHA-256. */
export function pseudonymKey(secret: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(secret)) return Buffer.from(secret, 'hex');
  return createHash('sha256').update(`portent-crypto-pan\0${secret}`).digest();
}

export class Pseudonymizer {
  readonly #aes: Cipheriv;
  readonly #pad: Buffer;
  readonly #cache = new Map<string, string>();

  constructor(key: Buffer) {
    if (key.length !== 32) throw new RangeError('Crypto-PAn needs a 32-byte key');
    this.#aes = createCipheriv('aes-128-ecb', key.subarray(0, 16), null).setAutoPadding(false);
    this.#pad = this.#aes.update(key.subarray(16, 32));
  }

  /** The pseudonym of an address in text form; text that is not an address is returned as it is. */
  address(text: string): string {
    const hit = this.#cache.get(text);
    if (hit !== undefined) return hit;
    const bytes = parseIp(text);
    const out = bytes === undefined ? text : formatIp(this.bytes(bytes));
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(text, out);
    return out;
  }

  /** The pseudonym of a 4- or 16-byte address. */
  bytes(addr: Uint8Array): Uint8Array {
    const bits = addr.length * 8;
    const blocks = Buffer.alloc(16 * bits);
    for (let i = 0; i < bits; i++) {
      const block = blocks.subarray(16 * i, 16 * i + 16);
      this.#pad.copy(block);
      // First i bits from the address, the rest of the first L bits from the pad.
      const whole = i >> 3;
      for (let b = 0; b < whole; b++) block[b] = addr[b] ?? 0;
      const partial = i & 7;
      if (partial !== 0) {
        const mask = (0xff << (8 - partial)) & 0xff;
        block[whole] = ((addr[whole] ?? 0) & mask) | ((this.#pad[whole] ?? 0) & ~mask & 0xff);
      }
    }
    const enc = this.#aes.update(blocks);
    const out = new Uint8Array(addr.length);
    for (let i = 0; i < bits; i++) {
      const flip = ((enc[16 * i] ?? 0) >> 7) & 1;
      const byte = i >> 3;
      out[byte] = (out[byte] ?? 0) | ((((addr[byte] ?? 0) >> (7 - (i & 7))) & 1) ^ flip) << (7 - (i & 7));
    }
    return out;
  }
}
