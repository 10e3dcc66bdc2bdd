/**
 * A bounded, crash-safe local disk queue for records the broker could not
 * take. Append-only segment files in one directory:
 *
 *   000000000001.seg   frames: u32 LE body length | u32 LE CRC-32 of body | body
 *                      body:   u32 events | u16 key length | key | u16 id length | id
 *                              | [u16 traceparent length | traceparent] | value
 *                      The traceparent part is there when the top bit of `events` is set;
 *                      files written before it existed read unchanged.
 *   000000000001.ack   how many bytes of the segment have been delivered
 *
 * - Bound: when the files pass `maxBytes`, the OLDEST segment is deleted and
 *   its undelivered records are counted as dropped ("spool_full"). Newest
 *   data wins: an early-warning system needs the current minutes more than
 *   the minutes of a long outage's start, and refusing new data would stall
 *   live capture.
 * - Reading never touches the segment being written: it is sealed first.
 * - A torn last frame (crash mid-write) fails its length or CRC check and is
 *   ignored; delivery resumes after the last acknowledged byte on restart.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

export interface SpooledRecord {
  readonly key: string;
  readonly id: string;
  readonly value: Buffer;
  readonly events: number;
  /** W3C traceparent of the batch's span, so a batch sent from the spool continues its trace. */
  readonly traceparent?: string | undefined;
}

/** Top bit of the `events` field: a traceparent follows the id. */
const HAS_TRACE = 0x8000_0000;

interface Segment {
  readonly seq: number;
  bytes: number;
  records: number;
  events: number;
  /** Records (and their events) already delivered (acked). */
  delivered: number;
  deliveredEvents: number;
}

export interface SpoolOptions {
  readonly dir: string;
  readonly maxBytes: number;
  /** Called with the number of undelivered records dropped to stay under maxBytes. */
  readonly onDrop?: (records: number, events: number) => void;
}

export interface SpoolRead {
  readonly records: readonly SpooledRecord[];
  readonly seq: number;
  readonly endOffset: number;
}

const name = (seq: number, ext: string): string => `${String(seq).padStart(12, '0')}.${ext}`;

export class Spool {
  readonly #opts: SpoolOptions;
  readonly #segmentBytes: number;
  readonly #segments: Segment[] = [];
  #fd: number | undefined;
  #reading: { seq: number; buf: Buffer; offset: number; inFlight: number; inFlightEvents: number } | undefined;

  /** Where the segments are (for the line that says the sensor is spooling). */
  get dir(): string {
    return this.#opts.dir;
  }

  constructor(opts: SpoolOptions) {
    this.#opts = opts;
    this.#segmentBytes = Math.max(64 * 1024, Math.min(8 * 1024 * 1024, Math.floor(opts.maxBytes / 8)));
    mkdirSync(opts.dir, { recursive: true });
    for (const f of readdirSync(opts.dir).filter((f) => f.endsWith('.seg')).sort()) {
      const seq = Number(f.slice(0, -4));
      const acked = this.#ackedOffset(seq);
      const all = parseFrames(readFileSync(join(opts.dir, f)), 0, Infinity).records;
      const done = all.length === 0 ? [] : parseFrames(readFileSync(join(opts.dir, f)).subarray(0, acked), 0, Infinity).records;
      const sum = (rs: readonly SpooledRecord[]): number => rs.reduce((n, r) => n + r.events, 0);
      this.#segments.push({ seq, bytes: statSync(join(opts.dir, f)).size, records: all.length, events: sum(all), delivered: done.length, deliveredEvents: sum(done) });
    }
  }

  depth(): { records: number; events: number; bytes: number } {
    let records = 0;
    let events = 0;
    let bytes = 0;
    for (const s of this.#segments) {
      records += s.records - s.delivered;
      events += s.events - s.deliveredEvents;
      bytes += s.bytes;
    }
    return { records, events, bytes };
  }

  isEmpty(): boolean {
    return this.#segments.every((s) => s.records === s.delivered);
  }

  append(records: readonly SpooledRecord[]): void {
    if (records.length === 0) return;
    const frames = Buffer.concat(records.map(frame));
    let last = this.#segments.at(-1);
    if (this.#fd === undefined || last === undefined || last.bytes + frames.length > this.#segmentBytes) {
      this.#seal();
      last = { seq: (last?.seq ?? 0) + 1, bytes: 0, records: 0, events: 0, delivered: 0, deliveredEvents: 0 };
      this.#segments.push(last);
      this.#fd = openSync(join(this.#opts.dir, name(last.seq, 'seg')), 'a');
    }
    writeSync(this.#fd, frames);
    last.bytes += frames.length;
    last.records += records.length;
    last.events += records.reduce((n, r) => n + r.events, 0);
    this.#enforceBound();
  }

  /**
   * Up to `max` undelivered records of the oldest segment, or undefined when
   * empty; at most `maxBytes` of them as stored (always at least one record).
   */
  read(max: number, maxBytes = Infinity): SpoolRead | undefined {
    const oldest = this.#segments.find((s) => s.records > s.delivered);
    if (oldest === undefined) return undefined;
    if (this.#fd !== undefined && oldest === this.#segments.at(-1)) this.#seal();
    if (this.#reading?.seq !== oldest.seq) {
      const buf = readFileSync(join(this.#opts.dir, name(oldest.seq, 'seg')));
      this.#reading = { seq: oldest.seq, buf, offset: this.#ackedOffset(oldest.seq), inFlight: 0, inFlightEvents: 0 };
    }
    const r = this.#reading;
    const parsed = parseFrames(r.buf, r.offset, max, maxBytes);
    r.inFlight = parsed.records.length;
    r.inFlightEvents = parsed.records.reduce((n, x) => n + x.events, 0);
    return { records: parsed.records, seq: r.seq, endOffset: parsed.end };
  }

  /** The records of `read` reached the broker. */
  ack(read: SpoolRead): void {
    const seg = this.#segments.find((s) => s.seq === read.seq);
    if (seg === undefined || this.#reading?.seq !== read.seq) return;
    seg.delivered += read.records.length;
    seg.deliveredEvents += read.records.reduce((n, x) => n + x.events, 0);
    this.#reading.offset = read.endOffset;
    this.#reading.inFlight = 0;
    this.#reading.inFlightEvents = 0;
    if (seg.delivered >= seg.records) this.#remove(seg);
    else writeFileSync(join(this.#opts.dir, name(seg.seq, 'ack')), String(read.endOffset));
  }

  close(): void {
    this.#seal();
  }

  #seal(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #enforceBound(): void {
    let total = this.#segments.reduce((n, s) => n + s.bytes, 0);
    while (total > this.#opts.maxBytes && this.#segments.length > 1) {
      const oldest = this.#segments[0];
      if (oldest === undefined) break;
      // Records read but not yet acked are in flight: they will be delivered, not lost.
      const reading = this.#reading?.seq === oldest.seq ? this.#reading : undefined;
      const lost = oldest.records - oldest.delivered - (reading?.inFlight ?? 0);
      const lostEvents = oldest.events - oldest.deliveredEvents - (reading?.inFlightEvents ?? 0);
      if (lost > 0) this.#opts.onDrop?.(lost, lostEvents);
      total -= oldest.bytes;
      this.#remove(oldest);
    }
  }

  #remove(seg: Segment): void {
    this.#segments.splice(this.#segments.indexOf(seg), 1);
    if (this.#reading?.seq === seg.seq) this.#reading = undefined;
    rmSync(join(this.#opts.dir, name(seg.seq, 'seg')), { force: true });
    rmSync(join(this.#opts.dir, name(seg.seq, 'ack')), { force: true });
  }

  #ackedOffset(seq: number): number {
    try {
      const n = Number(readFileSync(join(this.#opts.dir, name(seq, 'ack')), 'utf8'));
      return Number.isInteger(n) && n >= 0 ? n : 0;
    } catch {
      return 0;
    }
  }
}

function frame(r: SpooledRecord): Buffer {
  const key = Buffer.from(r.key, 'utf8');
  const id = Buffer.from(r.id, 'utf8');
  const trace = r.traceparent === undefined ? undefined : Buffer.from(r.traceparent, 'latin1');
  const body = Buffer.allocUnsafe(4 + 2 + key.length + 2 + id.length + (trace === undefined ? 0 : 2 + trace.length) + r.value.length);
  let o = body.writeUInt32LE(trace === undefined ? r.events : (r.events | HAS_TRACE) >>> 0, 0);
  o = body.writeUInt16LE(key.length, o);
  o += key.copy(body, o);
  o = body.writeUInt16LE(id.length, o);
  o += id.copy(body, o);
  if (trace !== undefined) {
    o = body.writeUInt16LE(trace.length, o);
    o += trace.copy(body, o);
  }
  r.value.copy(body, o);
  const head = Buffer.allocUnsafe(8);
  head.writeUInt32LE(body.length, 0);
  head.writeUInt32LE(crc32(body), 4);
  return Buffer.concat([head, body]);
}

/**
 * Whole, intact frames from `offset`, stopping at a torn or corrupt frame:
 * at most `max` records and `maxBytes` of frames (but always one, if there is one).
 */
function parseFrames(buf: Buffer, offset: number, max: number, maxBytes = Infinity): { records: SpooledRecord[]; end: number } {
  const records: SpooledRecord[] = [];
  let at = offset;
  while (records.length < max && at + 8 <= buf.length) {
    const len = buf.readUInt32LE(at);
    if (len < 8 || at + 8 + len > buf.length) break;
    if (records.length > 0 && at + 8 + len - offset > maxBytes) break;
    const body = buf.subarray(at + 8, at + 8 + len);
    if (crc32(body) !== buf.readUInt32LE(at + 4)) break;
    const head = body.readUInt32LE(0);
    const events = (head & ~HAS_TRACE) >>> 0;
    const keyLen = body.readUInt16LE(4);
    const key = body.toString('utf8', 6, 6 + keyLen);
    const idLen = body.readUInt16LE(6 + keyLen);
    let o = 8 + keyLen + idLen;
    const id = body.toString('utf8', 8 + keyLen, o);
    let traceparent: string | undefined;
    if ((head & HAS_TRACE) !== 0) {
      const traceLen = body.readUInt16LE(o);
      traceparent = body.toString('latin1', o + 2, o + 2 + traceLen);
      o += 2 + traceLen;
    }
    records.push({ key, id, events, value: Buffer.from(body.subarray(o)), ...(traceparent === undefined ? {} : { traceparent }) });
    at += 8 + len;
  }
  return { records, end: at };
}
