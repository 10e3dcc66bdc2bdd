/**
 * CRC-64-AVRO, the Rabin fingerprint the Avro specification defines for schema
 * fingerprints ("Schema Fingerprints" in the Avro 1.11 spec):
 *
 *   long fingerprint64(byte[] buf) {
 *     long fp = EMPTY;                      // 0xc15d213aa4d7a795L
 *     for (int i = 0; i < buf.length; i++)
 *       fp = (fp >>> 8) ^ FP_TABLE[(int)(fp ^ buf[i]) & 0xff];
 *     return fp;
 *   }
 *   // FP_TABLE[i]: fp = i; 8 times: fp = (fp >>> 1) ^ (EMPTY & -(fp & 1L))
 *
 * It is computed once per schema at start-up, so BigInt arithmetic is fine.
 */
const EMPTY = 0xc15d213aa4d7a795n;
const MASK = 0xffffffffffffffffn;

const TABLE: readonly bigint[] = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) {
    fp = (fp >> 1n) ^ (EMPTY & (-(fp & 1n) & MASK));
  }
  return fp;
});

/** The CRC-64-AVRO fingerprint of `text` (normally a Parsing Canonical Form). */
export function crc64Avro(text: string): bigint {
  let fp = EMPTY;
  for (const byte of Buffer.from(text, 'utf8')) {
    fp = (fp >> 8n) ^ (TABLE[Number((fp ^ BigInt(byte)) & 0xffn)] ?? 0n);
  }
  return fp;
}

/** The fingerprint as the 8 little-endian bytes the single-object header carries. */
export function fingerprintBytes(fp: bigint): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(fp);
  return out;
}
