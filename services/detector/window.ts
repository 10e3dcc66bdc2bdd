import type { ConnectionEvent, Scanner, WindowFigures } from '../common/avro/generated-types.ts';
import { NamedSource, ScannerTable, TRACKED_BEFORE, TRACKED_NOW } from './scanners.ts';
import type { ScannerOptions, ScannerSnapshot, SourceNames } from './scanners.ts';
import type { RotatingBloom } from './sketch/bloom.ts';
import { hash32 } from './sketch/hash.ts';
import { DistinctCounter } from './sketch/hll.ts';
import type { CounterSnapshot } from './sketch/hll.ts';

/** Start of the tumbling window of `size` ms that contains `time` (epoch ms). */
export function windowStartOf(time: number, size: number): number {
  return Math.floor(time / size) * size;
}

/** The two hash columns of an event batch (event-batch.ts). */
export interface EventHashes {
  readonly srcHash: Uint32Array;
  readonly dstHash: Uint32Array;
}

/** One event's hashes, for the single-event entry points. */
const ONE = { srcHash: new Uint32Array(1), dstHash: new Uint32Array(1) };

/** Per event of a run (WindowAccumulator.addRun): which Bloom operations it needs. Reused, grown as needed. */
let steps = new Uint8Array(512);
const PUT_DESTINATION = 1;
const ASK_SOURCE = 2;

/** The detector-wide memory of who was seen where (sketch/bloom.ts). */
export interface AddressHistory {
  /** (port, source) pairs of the trailing day: new sources. */
  readonly sources: RotatingBloom;
  /** (port, destination) pairs of the trailing day: destination→source correlation. */
  readonly destinations: RotatingBloom;
}

export interface WindowOptions extends ScannerOptions {
  readonly hllPrecision: number;
}

/** Everything a window knows beyond the Avro WindowFigures. */
export interface WindowExtras {
  /** Sources not seen on this port in the trailing day (tracked sources only). */
  readonly newSources: number;
  /** Sources that were earlier destinations on this port (Gu et al.'s DSC). */
  readonly dscSources: number;
  /** Sources that crossed the scanner threshold (scanners.ts). */
  readonly scanners: number;
}

export interface WindowSnapshot {
  readonly start: number;
  readonly attempts: number;
  readonly newSources: number;
  readonly dscSources: number;
  readonly sources: CounterSnapshot;
  readonly destinations: CounterSnapshot;
  readonly scanners: ScannerSnapshot;
  readonly sensors: string[];
}

/**
 * The figures of one (protocol, port) in one tumbling event-time window:
 * attempts, distinct sources and destinations (exact while small, then
 * HyperLogLog: sketch/hll.ts), sensors, scanners, new and DSC sources.
 */
export class WindowAccumulator {
  readonly start: number;
  readonly end: number;
  attempts = 0;
  newSources = 0;
  dscSources = 0;
  readonly #portHash: number;
  #sources: DistinctCounter;
  #destinations: DistinctCounter;
  #scanners: ScannerTable;
  readonly #sensors = new Set<string>();
  #lastSensor: string | undefined;

  constructor(start: number, size: number, portHash: number, opts: WindowOptions) {
    this.start = start;
    this.end = start + size;
    this.#portHash = portHash;
    this.#sources = new DistinctCounter(opts.hllPrecision);
    this.#destinations = new DistinctCounter(opts.hllPrecision);
    this.#scanners = new ScannerTable(opts);
  }

  add(event: ConnectionEvent, sensorId: string, history: AddressHistory): void {
    this.addHashed(hash32(event.srcIp), hash32(event.dstIp), new NamedSource(event.srcIp), 0, sensorId, history);
  }

  /** One event as hashes of its addresses (sketch/hash.ts); `names` is read only when a source is first tracked. */
  addHashed(srcHash: number, dstHash: number, names: SourceNames, i: number, sensorId: string, history: AddressHistory): void {
    ONE.srcHash[0] = srcHash;
    ONE.dstHash[0] = dstHash;
    this.addRun(ONE, 0, 1, names, i, sensorId, history);
  }

  /**
   * Events [from, to) of `hashes`, all of this window and of one sensor: the
   * detector's hot loop (every event of every record passes here), so the
   * sketches are held in locals for the run. `names` gives the source of
   * event `offset + k` for event `from + k` (the same batch in the hot path).
   */
  addRun(hashes: EventHashes, from: number, to: number, names: SourceNames, offset: number, sensorId: string, history: AddressHistory): void {
    const { srcHash, dstHash } = hashes;
    const sources = this.#sources;
    const destinations = this.#destinations;
    const scanners = this.#scanners;
    if (steps.length < to - from) steps = new Uint8Array(2 ** Math.ceil(Math.log2(to - from)));
    const todo = steps;
    // Pass 1, the window's own tables: what each event adds to the Bloom filters.
    for (let i = from; i < to; i++) {
      const src = srcHash[i] ?? 0;
      // A destination already counted in this window is already in the filter.
      let step = destinations.addHash(dstHash[i] ?? 0) ? PUT_DESTINATION : 0;
      const tracked = scanners.add(src, dstHash[i] ?? 0, names, offset + i - from);
      // A source the table already tracks is already counted; only new and untracked ones go to the counter.
      if (tracked !== TRACKED_BEFORE) sources.addHash(src);
      // First time this window: is it new on the port, and was it a destination here before?
      if (tracked === TRACKED_NOW) step |= ASK_SOURCE;
      todo[i - from] = step;
    }
    // Pass 2, the Bloom filters, in event order (so the same answers as one pass). A short loop body
    // lets the CPU work on several events' cache misses at once: the filters are tens of MiB, and a
    // miss (~150 ns here) in the one long loop stalled every event.
    const portHash = this.#portHash;
    const seenBefore = history.sources;
    const seenAsDestination = history.destinations;
    for (let i = from; i < to; i++) {
      const step = todo[i - from] ?? 0;
      if (step === 0) continue;
      if ((step & PUT_DESTINATION) !== 0) seenAsDestination.put(portHash, dstHash[i] ?? 0);
      if ((step & ASK_SOURCE) !== 0) {
        const src = srcHash[i] ?? 0;
        if (!seenBefore.add(portHash, src)) this.newSources += 1;
        if (seenAsDestination.has(portHash, src)) this.dscSources += 1;
      }
    }
    this.attempts += to - from;
    // Events of a batch share one sensor id: compare with the last one before touching the set.
    if (sensorId !== this.#lastSensor) {
      this.#lastSensor = sensorId;
      this.#sensors.add(sensorId);
    }
  }

  /**
   * Folds in the same window of the same port as counted elsewhere (one
   * sub-partition of a hot port): distinct counts by sketch union (exact, or
   * HyperLogLog register max: no double counting of sources or destinations
   * seen in both), attempts and per-source tallies by sum, sensors by union.
   */
  merge(other: WindowAccumulator): void {
    this.attempts += other.attempts;
    this.newSources += other.newSources;
    this.dscSources += other.dscSources;
    this.#sources.merge(other.#sources);
    this.#destinations.merge(other.#destinations);
    this.#scanners.mergeDisjoint(other.#scanners);
    for (const id of other.#sensors) this.#sensors.add(id);
  }

  /** Plain data for a checkpoint (checkpoint.ts). */
  snapshot(): WindowSnapshot {
    return {
      start: this.start,
      attempts: this.attempts,
      newSources: this.newSources,
      dscSources: this.dscSources,
      sources: this.#sources.snapshot(),
      destinations: this.#destinations.snapshot(),
      scanners: this.#scanners.snapshot(),
      sensors: [...this.#sensors],
    };
  }

  static restore(s: WindowSnapshot, size: number, portHash: number, opts: WindowOptions): WindowAccumulator {
    const w = new WindowAccumulator(s.start, size, portHash, opts);
    w.attempts = s.attempts;
    w.newSources = s.newSources;
    w.dscSources = s.dscSources;
    w.#sources = DistinctCounter.restore(s.sources);
    w.#destinations = DistinctCounter.restore(s.destinations);
    w.#scanners = ScannerTable.restore(s.scanners, opts);
    for (const id of s.sensors) w.#sensors.add(id);
    return w;
  }

  get distinctSources(): number {
    return this.#sources.count();
  }

  figures(): WindowFigures {
    return {
      attempts: this.attempts,
      distinctSources: this.#sources.count(),
      distinctDestinations: this.#destinations.count(),
      sensors: this.#sensors.size,
    };
  }

  extras(): WindowExtras {
    return { newSources: this.newSources, dscSources: this.dscSources, scanners: this.#scanners.scanners };
  }

  topScanners(n: number): Scanner[] {
    return this.#scanners.top(n);
  }
}

/** The figures of a window in which nothing was seen. */
export const EMPTY_FIGURES: Readonly<WindowFigures> = Object.freeze({
  attempts: 0,
  distinctSources: 0,
  distinctDestinations: 0,
  sensors: 0,
});

export const EMPTY_EXTRAS: Readonly<WindowExtras> = Object.freeze({ newSources: 0, dscSources: 0, scanners: 0 });
