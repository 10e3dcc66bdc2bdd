import type { ConnectionEvent, Scanner, WindowFigures } from '../common/avro/generated-types.ts';

/** Start of the tumbling window of `size` ms that contains `time` (epoch ms). */
export function windowStartOf(time: number, size: number): number {
  return Math.floor(time / size) * size;
}

/**
 * The figures of one (protocol, port) in one tumbling event-time window.
 *
 * Sources are counted exactly (a map of source -> attempts). That is what the
 * foundation needs; the detector issue replaces the sets with HyperLogLog
 * sketches once ports with millions of sources per minute matter.
 */
export class WindowAccumulator {
  readonly start: number;
  readonly end: number;
  attempts = 0;
  /** Per source: attempts and the destinations it contacted. */
  readonly #sources = new Map<string, { attempts: number; destinations: Set<string> }>();
  readonly #destinations = new Set<string>();
  readonly #sensors = new Set<string>();

  constructor(start: number, size: number) {
    this.start = start;
    this.end = start + size;
  }

  add(event: ConnectionEvent, sensorId: string): void {
    this.attempts += 1;
    let source = this.#sources.get(event.srcIp);
    if (source === undefined) {
      source = { attempts: 0, destinations: new Set() };
      this.#sources.set(event.srcIp, source);
    }
    source.attempts += 1;
    source.destinations.add(event.dstIp);
    this.#destinations.add(event.dstIp);
    this.#sensors.add(sensorId);
  }

  get distinctSources(): number {
    return this.#sources.size;
  }

  figures(): WindowFigures {
    return {
      attempts: this.attempts,
      distinctSources: this.#sources.size,
      distinctDestinations: this.#destinations.size,
      sensors: this.#sensors.size,
    };
  }

  /** The `n` sources that contacted the most destinations (then most attempts, then address: deterministic). */
  topScanners(n: number): Scanner[] {
    return [...this.#sources]
      .map(([ip, s]) => ({ ip, attempts: s.attempts, destinations: s.destinations.size }))
      .sort((a, b) => b.destinations - a.destinations || b.attempts - a.attempts || (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0))
      .slice(0, n);
  }
}

/** The figures of a window in which nothing was seen. */
export const EMPTY_FIGURES: Readonly<WindowFigures> = Object.freeze({
  attempts: 0,
  distinctSources: 0,
  distinctDestinations: 0,
  sensors: 0,
});
