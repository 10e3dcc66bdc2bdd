import type { ConnectionBatch, Protocol } from '../common/avro/generated-types.ts';
import { hash32 } from './sketch/hash.ts';
import type { SourceNames } from './scanners.ts';

/** Protocol symbols in the schema's order: an event's protocol is stored as its index. */
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'ICMP'];

/**
 * One connection batch as the detector reads it: columns of what the windows
 * need (event time, protocol, port, 32-bit hashes of source and destination),
 * with no object or string per event. The source address itself is only
 * needed when a source is first tracked in a window (a few thousand per
 * window at most, for the alert's top scanners), so it is copied on demand,
 * from the record's bytes (batch-decoder.ts) or from decoded events.
 *
 * The arrays are reused from batch to batch and grow as needed: one instance
 * per pipeline, filled then consumed synchronously.
 */
export class EventBatch implements SourceNames {
  sensorId = '';
  count = 0;
  time = new Float64Array(512);
  protocol = new Uint8Array(512);
  port = new Int32Array(512);
  srcHash = new Uint32Array(512);
  dstHash = new Uint32Array(512);
  /** Byte range of each source address in `bytes` (when filled from a record). */
  srcStart = new Int32Array(512);
  srcEnd = new Int32Array(512);
  bytes: Buffer = Buffer.alloc(0);
  /** Source addresses as strings (when filled from decoded events); undefined: read them from `bytes`. */
  sources: readonly string[] | undefined;

  /** Empties the batch and makes room for `n` events. */
  reset(sensorId: string, n: number): void {
    this.sensorId = sensorId;
    this.count = 0;
    this.sources = undefined;
    if (n > this.time.length) this.#grow(n);
  }

  /** Makes room for `n` events, keeping those already there (decoders that learn the count block by block). */
  reserve(n: number): void {
    if (n > this.time.length) this.#grow(n);
  }

  /** The source address of event `i`. */
  source(i: number): string {
    const names = this.sources;
    if (names !== undefined) return names[i] ?? '';
    return this.bytes.toString('utf8', this.srcStart[i] ?? 0, this.srcEnd[i] ?? 0);
  }

  /** The UTF-8 byte length of event `i`'s source address (SourceNames, scanners.ts). */
  sourceLength(i: number): number {
    const names = this.sources;
    if (names !== undefined) return Buffer.byteLength(names[i] ?? '', 'utf8');
    return (this.srcEnd[i] ?? 0) - (this.srcStart[i] ?? 0);
  }

  /** Writes event `i`'s source address as UTF-8 into `into` at `at` (SourceNames, scanners.ts): a byte copy when read from a record. */
  copySource(i: number, into: Uint8Array, at: number): void {
    const names = this.sources;
    if (names !== undefined) {
      Buffer.from(into.buffer, into.byteOffset, into.byteLength).write(names[i] ?? '', at, 'utf8');
      return;
    }
    const bytes = this.bytes;
    const end = this.srcEnd[i] ?? 0;
    // Addresses are a dozen bytes or so: a loop beats subarray + set, which allocate a view.
    for (let k = this.srcStart[i] ?? 0; k < end; k++) into[at++] = bytes[k] ?? 0;
  }

  /** Fills the batch from decoded events (older writer schemas, tests, the bench's memory probe). */
  static from(batch: ConnectionBatch, into = new EventBatch()): EventBatch {
    const n = batch.events.length;
    into.reset(batch.sensorId, n);
    const sources: string[] = [];
    for (let i = 0; i < n; i++) {
      const e = batch.events[i];
      if (e === undefined) continue;
      into.time[i] = e.eventTime;
      into.protocol[i] = PROTOCOLS.indexOf(e.protocol);
      into.port[i] = e.dstPort;
      into.srcHash[i] = hash32(e.srcIp);
      into.dstHash[i] = hash32(e.dstIp);
      sources.push(e.srcIp);
    }
    into.count = n;
    into.sources = sources;
    return into;
  }

  #grow(n: number): void {
    const size = 2 ** Math.ceil(Math.log2(n));
    const grown = <A extends Float64Array<ArrayBuffer> | Uint8Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>>(a: A, make: (n: number) => A): A => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.time = grown(this.time, (k) => new Float64Array(k));
    this.protocol = grown(this.protocol, (k) => new Uint8Array(k));
    this.port = grown(this.port, (k) => new Int32Array(k));
    this.srcHash = grown(this.srcHash, (k) => new Uint32Array(k));
    this.dstHash = grown(this.dstHash, (k) => new Uint32Array(k));
    this.srcStart = grown(this.srcStart, (k) => new Int32Array(k));
    this.srcEnd = grown(this.srcEnd, (k) => new Int32Array(k));
  }
}
