import type { Scanner } from '../common/avro/generated-types.ts';
import { fmix32, hash32 } from './sketch/hash.ts';

/**
 * Who is scanning a port in one window, per source: attempts and distinct
 * destinations.
 *
 * Decision rule: thresholds modelled on Zeek's scan detection, per port and
 * window: a source is a scanner once it has contacted `scannerDestinations`
 * (default 20) distinct destinations on the port within the window. Zeek's
 * scan policy uses 25 hosts in 5 minutes; ncsa's "knock-knock" (one port, many
 * hosts) uses 20. A one-minute window is stricter than 5 minutes, so 20 in a
 * minute flags the same tools without flagging a host retrying 3 addresses.
 * TRW (Jung et al. 2004) needs a success/failure outcome for every attempt;
 * most of Portent's inputs (darknet sensors, firewall drops) see only failures,
 * where TRW degenerates into "k failures" — the same kind of count threshold.
 *
 * Bounds: at most `maxTracked` sources per window are tracked (first come,
 * first tracked; a persistent scanner appears early in every window), and each
 * source's destinations are counted exactly up to `destinationCap`, then
 * reported as that cap. The port's distinct-source count is unaffected: it
 * comes from the HyperLogLog.
 *
 * Layout: sources are keyed by their 32-bit hash, their tallies live in typed
 * arrays, and (source, destination) pairs in one open-addressing hash set, so
 * an event allocates nothing (the first version's object-and-Set per source
 * spent a third of the detector's time in the garbage collector).
 */
export interface ScannerOptions {
  readonly scannerDestinations: number;
  readonly maxTracked: number;
  readonly destinationCap: number;
}

export interface ScannerSnapshot {
  readonly ips: string[];
  readonly attempts: string;
  readonly destinations: string;
  readonly pairs: string;
  readonly pairCount: number;
  readonly untracked: number;
  readonly scanners: number;
}

const b64 = (a: Uint32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const u32 = (s: string): Uint32Array<ArrayBuffer> => {
  const b = Buffer.from(s, 'base64');
  return new Uint32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

export class ScannerTable {
  readonly #opts: ScannerOptions;
  readonly #slots = new Map<number, number>();
  readonly #ips: string[] = [];
  #attempts = new Uint32Array(16);
  #destinations = new Uint32Array(16);
  #pairs = new Uint32Array(64);
  #pairCount = 0;
  /** Sources seen after the table was full. */
  untracked = 0;
  scanners = 0;

  constructor(opts: ScannerOptions) {
    this.#opts = opts;
  }

  /** Records one attempt; returns true the first time the source is tracked in this window. */
  add(src: string, srcHash: number, dstHash: number): boolean {
    let slot = this.#slots.get(srcHash);
    let first = false;
    if (slot === undefined) {
      if (this.#ips.length >= this.#opts.maxTracked) {
        this.untracked += 1;
        return false;
      }
      slot = this.#ips.length;
      this.#ips.push(src);
      this.#slots.set(srcHash, slot);
      if (slot >= this.#attempts.length) this.#growTallies();
      first = true;
    }
    this.#attempts[slot] = (this.#attempts[slot] ?? 0) + 1;
    const dests = this.#destinations[slot] ?? 0;
    if (dests < this.#opts.destinationCap && this.#insertPair(fmix32((Math.imul(slot + 1, 0x9e3779b1) ^ dstHash) >>> 0) || 1)) {
      this.#destinations[slot] = dests + 1;
      if (dests + 1 === this.#opts.scannerDestinations) this.scanners += 1;
    }
    return first;
  }

  /** The `n` sources that contacted the most destinations (then most attempts, then address: deterministic). */
  top(n: number): Scanner[] {
    return this.#ips
      .map((ip, slot) => ({ ip, attempts: this.#attempts[slot] ?? 0, destinations: this.#destinations[slot] ?? 0 }))
      .sort((a, b) => b.destinations - a.destinations || b.attempts - a.attempts || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0))
      .slice(0, n);
  }

  /**
   * Adds another table of the same port and window whose sources are disjoint
   * from this one's (a hot port split by source into sub-partitions, see the
   * README): tallies are then whole in one table and simply carried over.
   */
  mergeDisjoint(other: ScannerTable): void {
    other.#ips.forEach((ip, slot) => {
      if (this.#ips.length >= this.#opts.maxTracked) {
        this.untracked += 1;
        return;
      }
      const mine = this.#ips.length;
      this.#ips.push(ip);
      for (const [hash, s] of other.#slots) if (s === slot) this.#slots.set(hash, mine);
      if (mine >= this.#attempts.length) this.#growTallies();
      this.#attempts[mine] = other.#attempts[slot] ?? 0;
      this.#destinations[mine] = other.#destinations[slot] ?? 0;
      if ((other.#destinations[slot] ?? 0) >= this.#opts.scannerDestinations) this.scanners += 1;
    });
    this.untracked += other.untracked;
  }

  /** Plain data for a checkpoint (checkpoint.ts). */
  snapshot(): ScannerSnapshot {
    return {
      ips: [...this.#ips],
      attempts: b64(this.#attempts),
      destinations: b64(this.#destinations),
      pairs: b64(this.#pairs),
      pairCount: this.#pairCount,
      untracked: this.untracked,
      scanners: this.scanners,
    };
  }

  static restore(s: ScannerSnapshot, opts: ScannerOptions): ScannerTable {
    const t = new ScannerTable(opts);
    s.ips.forEach((ip, slot) => {
      t.#ips.push(ip);
      t.#slots.set(hash32(ip), slot);
    });
    t.#attempts = u32(s.attempts);
    t.#destinations = u32(s.destinations);
    t.#pairs = u32(s.pairs);
    t.#pairCount = s.pairCount;
    t.untracked = s.untracked;
    t.scanners = s.scanners;
    return t;
  }

  #growTallies(): void {
    const grow = (a: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> => {
      const b = new Uint32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.#attempts = grow(this.#attempts);
    this.#destinations = grow(this.#destinations);
  }

  #insertPair(key: number): boolean {
    if ((this.#pairCount + 1) * 2 > this.#pairs.length) {
      const old = this.#pairs;
      this.#pairs = new Uint32Array(old.length * 2);
      this.#pairCount = 0;
      for (const k of old) if (k !== 0) this.#insertPair(k);
    }
    const set = this.#pairs;
    const mask = set.length - 1;
    for (let i = key & mask; ; i = (i + 1) & mask) {
      const slot = set[i];
      if (slot === key) return false;
      if (slot === 0) {
        set[i] = key;
        this.#pairCount += 1;
        return true;
      }
    }
  }
}
