import { connectionBatchCodec } from '../../common/avro/codecs.ts';
import { EventBatch } from '../event-batch.ts';
import { fmix32, hash32 } from '../sketch/hash.ts';

/**
 * Reads a connections record (Avro single-object encoding of
 * schemas/connection-batch.avsc) straight into an EventBatch: event time,
 * protocol, port and the hashes of the two addresses, taken from the bytes
 * without building an object or a string per event. avsc's decoder built one
 * object and two strings per event, which was the detector's largest cost
 * and most of its garbage collection.
 *
 * Avro 1.11 spec, "Binary Encoding": int and long are zig-zag varints; a
 * string is a long byte length then UTF-8 bytes; an enum is the int index of
 * its symbol; an array is a series of blocks, each a long item count (when
 * negative, its absolute value, followed by the block's size in bytes) and
 * then the items, ended by a count of 0; a record is its fields in order.
 * Single-object encoding: C3 01, the 8-byte little-endian CRC-64-AVRO
 * fingerprint of the writer schema, then the body.
 *
 * Anything this fast path does not read as the current schema (another
 * header, an older writer schema, a body it finds malformed) goes to avsc's
 * codec, which either decodes it (schema resolution) or throws the same
 * PortentError (AVRO_BAD_HEADER, AVRO_UNKNOWN_FINGERPRINT, AVRO_CORRUPT_BODY)
 * the dead-letter path records. So the fast path never accepts a record avsc
 * would refuse, and never refuses one avsc would accept.
 *
 * Hashes: FNV-1a over the address's bytes equals sketch/hash.ts's hash32 of
 * the string when every byte is ASCII (UTF-16 code units = bytes); addresses
 * with other bytes are decoded and hashed as strings, so both paths always
 * agree (the checkpoint's scanner tables re-hash addresses as strings).
 */
const HEADER = 10;
const FINGERPRINT = connectionBatchCodec.fingerprint;
const PROTOCOL_SYMBOLS = 3;
const OUTCOME_SYMBOLS = 4;

/** Thrown inside the fast path only; the caller then lets avsc judge the record. */
class Malformed extends Error {}
const MALFORMED = new Malformed('malformed');

/** A position in a buffer with the Avro primitive readers the schema needs. */
class Reader {
  buf: Buffer = Buffer.alloc(0);
  pos = 0;

  /** A zig-zag varint as a number (exact up to 2^53, as avsc's long). */
  long(): number {
    const buf = this.buf;
    let b = buf[this.pos++] ?? -1;
    // Most values (lengths, enums, small ints) fit one byte.
    if (b >= 0 && b < 0x80) return (b >>> 1) ^ -(b & 1);
    if (b < 0) throw MALFORMED;
    let n = b & 0x7f;
    let shift = 7;
    // The first four bytes with integer arithmetic, the rest (timestamps) with floating point.
    while (b & 0x80 && shift < 28) {
      b = buf[this.pos++] ?? -1;
      if (b < 0) throw MALFORMED;
      n |= (b & 0x7f) << shift;
      shift += 7;
    }
    if (!(b & 0x80)) return (n >>> 1) ^ -(n & 1);
    let f = n >>> 0;
    let scale = 2 ** 28;
    do {
      b = buf[this.pos++] ?? -1;
      if (b < 0 || scale > 2 ** 63) throw MALFORMED;
      f += (b & 0x7f) * scale;
      scale *= 128;
    } while (b & 0x80);
    return f % 2 === 0 ? f / 2 : -(f + 1) / 2;
  }

  /** Where the last string's bytes start (they end at `pos`). */
  start = 0;

  /** Skips over a string, leaving its bytes at [start, pos). */
  string(): void {
    const len = this.long();
    const end = this.pos + len;
    if (len < 0 || end > this.buf.length) throw MALFORMED;
    this.start = this.pos;
    this.pos = end;
  }

  /** An enum index, checked against the number of symbols. */
  symbol(symbols: number): number {
    const i = this.long();
    if (i < 0 || i >= symbols) throw MALFORMED;
    return i;
  }
}

/** hash32 of the address in buf[start, end). */
function hashBytes(buf: Buffer, start: number, end: number): number {
  let h = 0x811c9dc5;
  let high = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i] ?? 0;
    high |= c;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return high < 0x80 ? fmix32(h) : hash32(buf.toString('utf8', start, end));
}

export class BatchDecoder {
  readonly #reader = new Reader();
  readonly #batch = new EventBatch();

  /**
   * Decodes one record into the decoder's EventBatch (valid until the next
   * call). Throws the codec's PortentError for an unreadable record.
   */
  decode(value: Buffer): EventBatch {
    if (value.length >= HEADER && value[0] === 0xc3 && value[1] === 0x01 && value.readBigUInt64LE(2) === FINGERPRINT) {
      try {
        return this.#fast(value);
      } catch (err) {
        if (!(err instanceof Malformed)) throw err;
      }
    }
    return EventBatch.from(connectionBatchCodec.decode(value), this.#batch);
  }

  #fast(value: Buffer): EventBatch {
    const r = this.#reader;
    const out = this.#batch;
    r.buf = value;
    r.pos = HEADER;
    r.string();
    out.reset(value.toString('utf8', r.start, r.pos), 0);
    out.bytes = value;
    let n = 0;
    for (;;) {
      let count = r.long();
      if (count === 0) break;
      if (count < 0) {
        count = -count;
        r.long(); // the block's size in bytes: not needed when reading every item
      }
      out.reserve(n + count);
      // The columns only change in reserve(): held in locals for the block.
      const { time, protocol, srcStart, srcEnd, srcHash, dstHash, port } = out;
      for (let k = 0; k < count; k++, n++) {
        time[n] = r.long();
        protocol[n] = r.symbol(PROTOCOL_SYMBOLS);
        r.string();
        srcStart[n] = r.start;
        srcEnd[n] = r.pos;
        srcHash[n] = hashBytes(value, r.start, r.pos);
        r.long(); // srcPort
        r.string();
        dstHash[n] = hashBytes(value, r.start, r.pos);
        port[n] = r.long();
        r.symbol(OUTCOME_SYMBOLS);
      }
    }
    // avsc refuses trailing bytes; so does the fast path.
    if (r.pos !== value.length) throw MALFORMED;
    out.count = n;
    return out;
  }
}
