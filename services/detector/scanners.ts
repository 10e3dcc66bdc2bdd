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

/**
 * Where a source's address comes from: an event batch read from bytes
 * (event-batch.ts) or decoded events. Tables keep addresses as UTF-8 bytes
 * (see ScannerTable), so a source is copied, not turned into a string.
 */
export interface SourceNames {
  /** The UTF-8 byte length of event `i`'s source address. */
  sourceLength(i: number): number;
  /** Writes event `i`'s source address as UTF-8 into `into` at `at` (room for `sourceLength(i)` bytes is there). */
  copySource(i: number, into: Uint8Array, at: number): void;
}

/** One address given as a string, as SourceNames (decoded events, restores). */
export class NamedSource implements SourceNames {
  ip: string;

  constructor(ip = '') {
    this.ip = ip;
  }

  sourceLength(): number {
    return Buffer.byteLength(this.ip, 'utf8');
  }

  copySource(_i: number, into: Uint8Array, at: number): void {
    Buffer.from(into.buffer, into.byteOffset, into.byteLength).write(this.ip, at, 'utf8');
  }
}

export interface ScannerSnapshot {
  readonly ips: string[];
  readonly attempts: string;
  readonly destinations: string;
  readonly pairs: string;
  readonly pairCount: number;
  /** Each slot's first (source, destination) pair key; absent in checkpoints written before it existed (their pairs set holds them). */
  readonly firsts?: string;
  readonly untracked: number;
  readonly scanners: number;
}

/** What `ScannerTable.add` did with a source. */
export const TRACKED_NOW = 0;
export const TRACKED_BEFORE = 1;
export const UNTRACKED = 2;
export type Tracking = typeof TRACKED_NOW | typeof TRACKED_BEFORE | typeof UNTRACKED;

const b64 = (a: Uint32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const u32 = (s: string): Uint32Array<ArrayBuffer> => {
  const b = Buffer.from(s, 'base64');
  return new Uint32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/** A slot's four words in #slots: its tallies, where its address text ends, its first pair key. */
const SLOT_WORDS = 4;
const ATTEMPTS = 0;
const DESTINATIONS = 1;
const TEXT_END = 2;
const FIRST_PAIR = 3;
const NO_PAIRS = new Uint32Array(0);

export class ScannerTable {
  readonly #opts: ScannerOptions;
  /**
   * Source hash -> slot: entries of two words (hash, slot + 1; 0 = empty),
   * open addressing with linear probing, load at most 1/2. No Map and no
   * boxed keys. Every array of a new table is at most 64 bytes, which V8
   * keeps on its heap rather than as a separate allocation: 131,072 ports'
   * windows must fit the memory target.
   */
  #index = new Uint32Array(16);
  /** Sources tracked (slots 0 .. tracked − 1). */
  #tracked = 0;
  /**
   * Per slot, SLOT_WORDS words: attempts, distinct destinations (exact up to
   * destinationCap), the end of its address in #text, and its first
   * (source, destination) pair key (0 = none). One array, not four: one
   * object per table instead of four, and a slot's words share a cache line.
   * The first pair is kept here rather than in the pair set: tracking a new
   * source inserts nothing there, and a source that hits one destination
   * (most of a random scan's sources in a window) never reaches it.
   */
  #slots = new Uint32Array(4 * SLOT_WORDS);
  /**
   * The tracked sources' addresses as UTF-8 bytes, one after another; slot s
   * starts where slot s − 1 ends. Strings are only made for the top scanners
   * and checkpoints: making one per tracked source (thousands per hot
   * window) was ~8 % of the detector's time.
   */
  #text = new Uint8Array(64);
  /** Further (source slot, destination) pair keys: an open-addressing set, made when first needed. */
  #pairs: Uint32Array = NO_PAIRS;
  #pairCount = 0;
  /** Sources seen after the table was full. */
  untracked = 0;
  scanners = 0;

  constructor(opts: ScannerOptions) {
    this.#opts = opts;
  }

  /**
   * Records one attempt. Returns TRACKED_NOW the first time the source is
   * tracked in this window (only then is its address read from `names`),
   * TRACKED_BEFORE for a source already tracked, UNTRACKED when the table is full.
   */
  add(srcHash: number, dstHash: number, names: SourceNames, i: number): Tracking {
    let slot = this.#find(srcHash);
    let result: Tracking = TRACKED_BEFORE;
    if (slot < 0) {
      if (this.#tracked >= this.#opts.maxTracked) {
        this.untracked += 1;
        return UNTRACKED;
      }
      slot = this.#track(srcHash, names.sourceLength(i));
      names.copySource(i, this.#text, this.#textStart(slot));
      result = TRACKED_NOW;
    }
    const slots = this.#slots;
    const at = slot * SLOT_WORDS;
    slots[at + ATTEMPTS] = (slots[at + ATTEMPTS] ?? 0) + 1;
    const dests = slots[at + DESTINATIONS] ?? 0;
    if (dests < this.#opts.destinationCap) {
      const key = fmix32((Math.imul(slot + 1, 0x9e3779b1) ^ dstHash) >>> 0) || 1;
      let fresh = true;
      if (result === TRACKED_NOW) slots[at + FIRST_PAIR] = key;
      else fresh = key !== slots[at + FIRST_PAIR] && this.#insertPair(key);
      if (fresh) {
        slots[at + DESTINATIONS] = dests + 1;
        if (dests + 1 === this.#opts.scannerDestinations) this.scanners += 1;
      }
    }
    return result;
  }

  /** The `n` sources that contacted the most destinations (then most attempts, then address: deterministic). */
  top(n: number): Scanner[] {
    return this.#ips()
      .map((ip, slot) => ({ ip, attempts: this.#word(slot, ATTEMPTS), destinations: this.#word(slot, DESTINATIONS) }))
      .sort((a, b) => b.destinations - a.destinations || b.attempts - a.attempts || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0))
      .slice(0, n);
  }

  /**
   * Adds another table of the same port and window whose sources are disjoint
   * from this one's (a hot port split by source into sub-partitions, see the
   * README): tallies are then whole in one table and simply carried over.
   */
  mergeDisjoint(other: ScannerTable): void {
    const hashes = other.#slotHashes();
    for (let slot = 0; slot < other.#tracked; slot++) {
      if (this.#tracked >= this.#opts.maxTracked) {
        this.untracked += 1;
        continue;
      }
      const from = other.#textStart(slot);
      const to = other.#word(slot, TEXT_END);
      const mine = this.#track(hashes[slot] ?? 0, to - from);
      this.#text.set(other.#text.subarray(from, to), this.#textStart(mine));
      const destinations = other.#word(slot, DESTINATIONS);
      this.#slots[mine * SLOT_WORDS + ATTEMPTS] = other.#word(slot, ATTEMPTS);
      this.#slots[mine * SLOT_WORDS + DESTINATIONS] = destinations;
      if (destinations >= this.#opts.scannerDestinations) this.scanners += 1;
    }
    this.untracked += other.untracked;
  }

  /** Plain data for a checkpoint (checkpoint.ts): the slot words as separate columns, as before they were one array. */
  snapshot(): ScannerSnapshot {
    const slots = this.#slots;
    const column = (w: number): Uint32Array => {
      const c = new Uint32Array(this.#tracked);
      for (let slot = 0; slot < c.length; slot++) c[slot] = slots[slot * SLOT_WORDS + w] ?? 0;
      return c;
    };
    return {
      ips: this.#ips(),
      attempts: b64(column(ATTEMPTS)),
      destinations: b64(column(DESTINATIONS)),
      pairs: b64(this.#pairs),
      pairCount: this.#pairCount,
      firsts: b64(column(FIRST_PAIR)),
      untracked: this.untracked,
      scanners: this.scanners,
    };
  }

  /** From a snapshot; one written before first pairs were kept apart (no `firsts`) has them in its pair set, which works the same. */
  static restore(s: ScannerSnapshot, opts: ScannerOptions): ScannerTable {
    const t = new ScannerTable(opts);
    const name = new NamedSource();
    for (const ip of s.ips) {
      name.ip = ip;
      const slot = t.#track(hash32(ip), name.sourceLength());
      name.copySource(0, t.#text, t.#textStart(slot));
    }
    const columns: [number, string | undefined][] = [[ATTEMPTS, s.attempts], [DESTINATIONS, s.destinations], [FIRST_PAIR, s.firsts]];
    for (const [w, text] of columns) {
      if (text === undefined) continue;
      const values = u32(text);
      for (let slot = 0; slot < t.#tracked; slot++) t.#slots[slot * SLOT_WORDS + w] = values[slot] ?? 0;
    }
    t.#pairs = u32(s.pairs);
    t.#pairCount = s.pairCount;
    t.untracked = s.untracked;
    t.scanners = s.scanners;
    return t;
  }

  #word(slot: number, w: number): number {
    return this.#slots[slot * SLOT_WORDS + w] ?? 0;
  }

  /** The slot of a source hash, or -1. */
  #find(hash: number): number {
    const index = this.#index;
    const mask = (index.length >>> 1) - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const s = index[2 * i + 1] ?? 0;
      if (s === 0) return -1;
      if (index[2 * i] === hash) return s - 1;
    }
  }

  /** Each slot's source hash, read off the index (merging only). */
  #slotHashes(): Uint32Array {
    const index = this.#index;
    const hashes = new Uint32Array(this.#tracked);
    for (let i = 1; i < index.length; i += 2) {
      const slot = (index[i] ?? 0) - 1;
      if (slot >= 0) hashes[slot] = index[i - 1] ?? 0;
    }
    return hashes;
  }

  /** The tracked sources' addresses as strings, by slot. */
  #ips(): string[] {
    const text = Buffer.from(this.#text.buffer, this.#text.byteOffset, this.#text.byteLength);
    const ips: string[] = [];
    for (let slot = 0; slot < this.#tracked; slot++) ips.push(text.toString('utf8', this.#textStart(slot), this.#word(slot, TEXT_END)));
    return ips;
  }

  #textStart(slot: number): number {
    return slot === 0 ? 0 : this.#word(slot - 1, TEXT_END);
  }

  /** Gives a new source the next slot, with room for its `length` address bytes at #textStart(slot). */
  #track(hash: number, length: number): number {
    const slot = this.#tracked++;
    if ((slot + 1) * SLOT_WORDS > this.#slots.length) {
      const slots = new Uint32Array(this.#slots.length * 2);
      slots.set(this.#slots);
      this.#slots = slots;
    }
    const end = this.#textStart(slot) + length;
    if (end > this.#text.length) {
      const text = new Uint8Array(Math.max(end, this.#text.length * 2));
      text.set(this.#text);
      this.#text = text;
    }
    this.#slots[slot * SLOT_WORDS + TEXT_END] = end;
    // Load at most 1/2: entries = index.length / 2.
    if ((slot + 1) * 4 > this.#index.length) {
      const old = this.#index;
      this.#index = new Uint32Array(old.length * 2);
      for (let i = 1; i < old.length; i += 2) if (old[i] !== 0) this.#indexPut(old[i - 1] ?? 0, (old[i] ?? 1) - 1);
    }
    this.#indexPut(hash, slot);
    return slot;
  }

  #indexPut(hash: number, slot: number): void {
    const index = this.#index;
    const mask = (index.length >>> 1) - 1;
    let i = hash & mask;
    while ((index[2 * i + 1] ?? 0) !== 0) i = (i + 1) & mask;
    index[2 * i] = hash;
    index[2 * i + 1] = slot + 1;
  }

  #insertPair(key: number): boolean {
    if ((this.#pairCount + 1) * 2 > this.#pairs.length) {
      const old = this.#pairs;
      this.#pairs = new Uint32Array(Math.max(64, old.length * 2));
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
