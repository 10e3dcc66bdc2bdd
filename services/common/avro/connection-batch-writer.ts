import type { ConnectionBatch, ConnectionEvent } from './generated-types.ts';
import { fingerprintBytes } from './fingerprint.ts';
import { SingleObjectCodec } from './single-object.ts';

/**
 * Writes a ConnectionBatch (schemas/connection-batch.avsc) as Avro
 * single-object bytes without avsc: the encode-side twin of the detector's
 * batch-decoder.ts. avsc's `Tap.writeString` measures every string with
 * `Buffer.byteLength` (~60 ns per address) and dispatches each field through
 * its type objects; here the schema is unrolled and an ASCII string is copied
 * code unit by code unit, its length known from `s.length`.
 *
 * Avro 1.11 spec, "Binary Encoding": int and long are zig-zag varints; a
 * string is a long byte length then UTF-8 bytes; an enum is the int index of
 * its symbol; an array is a block of a long item count and the items, ended
 * by a count of 0 (an empty array is the 0 alone); a record is its fields in
 * order. Single-object encoding: C3 01, the 8-byte little-endian CRC-64-AVRO
 * fingerprint of the schema, then the body.
 *
 * avsc stays the authority. The fast path writes only values it knows avsc
 * writes, byte for byte as avsc does; anything else (a wrong type, a
 * fractional or out-of-range number, an unknown enum symbol, a missing field,
 * a hole in the array) makes it give up, and avsc encodes the whole batch
 * again, so the caller gets avsc's bytes or avsc's error. It is used only for
 * the schema it was written for (WRITTEN_FOR): a changed schema has another
 * fingerprint and goes to avsc until this file is updated with it (a test,
 * connection-batch-writer.test.ts, fails until then, so it is not forgotten).
 * Measured: encoding alone ~1.8-2.1 times avsc's events per CPU-second
 * (services/sensor/README.md, Performance).
 */
export const WRITTEN_FOR = 0x8972e561d83d3da5n;

/** avsc's isSafeLong bounds: one less than 2^53 - 1, which avsc refuses too. */
const MAX_LONG = 9007199254740990;

/** Thrown inside the fast path only; the codec then lets avsc judge the batch. */
class NotForUs extends Error {}
const NOT_FOR_US = new NotForUs('not written by the fast path');

/**
 * avsc's `Tap.writeLong`, step for step: integer arithmetic below 2^30 in
 * magnitude, floating point above. The float branch computes `-n * 2 - 1`,
 * which rounds for n below -2^52 (avsc then writes another value); it is
 * copied as is, because the bytes must be avsc's.
 */
function writeLong(buf: Buffer, pos: number, n: number): number {
  if (n >= -0x40000000 && n < 0x40000000) {
    let m = n >= 0 ? n << 1 : (~n << 1) | 1;
    while (m > 0x7f) {
      buf[pos++] = (m & 0x7f) | 0x80;
      m >>>= 7;
    }
    buf[pos++] = m;
    return pos;
  }
  let f = n >= 0 ? n * 2 : -n * 2 - 1;
  while (f >= 128) {
    buf[pos++] = (f & 0x7f) | 0x80;
    f /= 128;
  }
  buf[pos++] = f & 0x7f;
  return pos;
}

/**
 * A string of only ASCII characters is its own UTF-8: its byte length is
 * `s.length`. At the first other character the string is written again from
 * `pos` as avsc writes it. Room for 10 + 3 * s.length bytes must be there.
 */
function writeString(buf: Buffer, pos: number, s: string): number {
  const len = s.length;
  let start = pos + 1;
  // Under 64 characters the length's zig-zag varint is the single byte 2 * len.
  if (len < 64) buf[pos] = len << 1;
  else start = writeLong(buf, pos, len);
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return writeUtf8(buf, pos, s);
    buf[start + i] = c;
  }
  return start + len;
}

/**
 * avsc's `Tap.writeString` for a string with other characters: over 64 bytes
 * Node's UTF-8 writer, else avsc's own loop. The two differ for a lone
 * surrogate (Node writes U+FFFD, EF BF BD; avsc's loop the surrogate's own
 * three bytes, ED xx xx), so both are kept. Each character takes as many
 * bytes in the loop as `Buffer.byteLength` counts for it, so the loop ends
 * exactly at pos + len.
 */
function writeUtf8(buf: Buffer, pos: number, s: string): number {
  const len = Buffer.byteLength(s);
  let p = writeLong(buf, pos, len);
  if (len > 64) {
    buf.write(s, p, len, 'utf8');
    return p + len;
  }
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    const next = s.charCodeAt(i + 1);
    if (c < 0x80) {
      buf[p++] = c;
    } else if (c < 0x800) {
      buf[p++] = (c >> 6) | 0xc0;
      buf[p++] = (c & 0x3f) | 0x80;
    } else if ((c & 0xfc00) === 0xd800 && (next & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c & 0x03ff) << 10) + (next & 0x03ff);
      i++;
      buf[p++] = (c >> 18) | 0xf0;
      buf[p++] = ((c >> 12) & 0x3f) | 0x80;
      buf[p++] = ((c >> 6) & 0x3f) | 0x80;
      buf[p++] = (c & 0x3f) | 0x80;
    } else {
      buf[p++] = (c >> 12) | 0xe0;
      buf[p++] = ((c >> 6) & 0x3f) | 0x80;
      buf[p++] = (c & 0x3f) | 0x80;
    }
  }
  return p;
}

/** Enum indexes, symbols in schema order. Strict equality: avsc also takes a few odd keys (['TCP'], 'toString'); those go to avsc. */
function protocolIndex(v: unknown): number {
  switch (v) {
    case 'TCP': return 0;
    case 'UDP': return 1;
    case 'ICMP': return 2;
    default: throw NOT_FOR_US;
  }
}

/** `outcome` has a default: avsc writes it (UNKNOWN, index 0) when the field is undefined. */
function outcomeIndex(v: unknown): number {
  switch (v) {
    case undefined:
    case 'UNKNOWN': return 0;
    case 'ATTEMPT': return 1;
    case 'REJECTED': return 2;
    case 'ESTABLISHED': return 3;
    default: throw NOT_FOR_US;
  }
}

/** avsc's long check: a number, whole, within ±MAX_LONG (-0 passes). */
function long(v: unknown): number {
  if (typeof v !== 'number' || Math.floor(v) !== v || v < -MAX_LONG || v > MAX_LONG) throw NOT_FOR_US;
  return v;
}

/** avsc's int check: `v === (v | 0)`, for numbers only (so no valueOf is called twice). */
function int(v: unknown): number {
  if (typeof v !== 'number' || v !== (v | 0)) throw NOT_FOR_US;
  return v;
}

function string(v: unknown): string {
  if (typeof v !== 'string') throw NOT_FOR_US;
  return v;
}

/** The header (C3 01, the fingerprint) and the last batch, in a buffer reused by every write that grows to the largest batch seen. */
export class ConnectionBatchWriter {
  #buf = Buffer.alloc(64 * 1024);

  constructor() {
    this.#buf[0] = 0xc3;
    this.#buf[1] = 0x01;
    fingerprintBytes(WRITTEN_FOR).copy(this.#buf, 2);
  }

  /**
   * The single-object bytes of `batch`, exactly as avsc writes them; or
   * undefined when the batch holds anything but the plain values the fast
   * path writes: then avsc must encode it (or refuse it).
   */
  write(batch: ConnectionBatch): Buffer | undefined {
    let end: number;
    try {
      end = this.#body(batch);
    } catch {
      // Not only NOT_FOR_US: a getter or a proxy that throws is avsc's to report.
      return undefined;
    }
    const out = Buffer.allocUnsafe(end);
    this.#buf.copy(out, 0, 0, end);
    return out;
  }

  /** Writes the body after the header and returns where it ends. Fields are read in avsc's order. */
  #body(batch: ConnectionBatch): number {
    const b: unknown = batch;
    if (typeof b !== 'object' || b === null) throw NOT_FOR_US;
    const sensorId = string((b as Partial<ConnectionBatch>).sensorId);
    const events: unknown = (b as Partial<ConnectionBatch>).events;
    if (!Array.isArray(events)) throw NOT_FOR_US;
    const n = events.length;
    // The sensor id, the item count and the terminator; then each event's room, checked before it is written.
    let buf = this.#room(10 + 20 + 3 * sensorId.length + 1, 10);
    let pos = writeString(buf, 10, sensorId);
    if (n > 0) pos = writeLong(buf, pos, n);
    for (let i = 0; i < n; i++) {
      const e: unknown = events[i];
      if (typeof e !== 'object' || e === null) throw NOT_FOR_US;
      const { eventTime, protocol, srcIp, srcPort, dstIp, dstPort, outcome } = e as Partial<Record<keyof ConnectionEvent, unknown>>;
      const time = long(eventTime);
      const proto = protocolIndex(protocol);
      const src = string(srcIp);
      const sport = int(srcPort);
      const dst = string(dstIp);
      const dport = int(dstPort);
      const out = outcomeIndex(outcome);
      // 10 (time) + 1 + 5 + 5 + 1 + two length prefixes of up to 10; at most 3 bytes per UTF-16 unit; 1 for the terminator.
      const need = pos + 43 + 3 * (src.length + dst.length);
      if (need > buf.length) buf = this.#room(need, pos);
      pos = writeLong(buf, pos, time);
      buf[pos++] = proto << 1;
      pos = writeString(buf, pos, src);
      pos = writeLong(buf, pos, sport);
      pos = writeString(buf, pos, dst);
      pos = writeLong(buf, pos, dport);
      buf[pos++] = out << 1;
    }
    buf[pos++] = 0;
    return pos;
  }

  /** The buffer, with at least `need` bytes; the first `keep` are kept when it grows. */
  #room(need: number, keep: number): Buffer {
    if (need <= this.#buf.length) return this.#buf;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.#buf.length, 2 * need));
    this.#buf.copy(grown, 0, 0, keep);
    this.#buf = grown;
    return grown;
  }
}

/**
 * The connection-batch codec: SingleObjectCodec, whose `encode` takes the
 * fast writer when the schema is the one it was written for and avsc for
 * every batch the writer leaves to it. Decoding is SingleObjectCodec's.
 */
export class ConnectionBatchCodec extends SingleObjectCodec<ConnectionBatch> {
  readonly #writer: ConnectionBatchWriter | undefined;

  constructor(schema: unknown, olderSchemas: readonly unknown[] = []) {
    super(schema, olderSchemas);
    this.#writer = this.fingerprint === WRITTEN_FOR ? new ConnectionBatchWriter() : undefined;
  }

  /** Whether encode has the fast writer (false for any schema but WRITTEN_FOR's). */
  get fast(): boolean {
    return this.#writer !== undefined;
  }

  override encode(value: ConnectionBatch): Buffer {
    return this.#writer?.write(value) ?? super.encode(value);
  }
}
