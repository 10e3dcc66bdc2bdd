import type { ConnectionEvent, TopSource, WindowFigures } from '../common/avro/generated-types.ts';

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
  readonly #sources = new Map<string, number>();
  readonly #destinations = new Set<string>();
  readonly #sensors = new Set<string>();

  constructor(start: number, size: number) {
    this.start = start;
    this.end = start + size;
  }

  add(event: ConnectionEvent, sensorId: string): void {
    this.attempts += 1;
    this.#sources.set(event.srcIp, (this.#sources.get(event.srcIp) ?? 0) + 1);
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

  /** The `n` sources with the most attempts; ties broken by address so output is deterministic. */
  topSources(n: number): TopSource[] {
    return [...this.#sources]
      .sort(([ipA, a], [ipB, b]) => b - a || (ipA < ipB ? -1 : ipA > ipB ? 1 : 0))
      .slice(0, n)
      .map(([ip, attempts]) => ({ ip, attempts }));
  }
}

/** The figures of a window in which nothing was seen. */
export const EMPTY_FIGURES: Readonly<WindowFigures> = Object.freeze({
  attempts: 0,
  distinctSources: 0,
  distinctDestinations: 0,
  sensors: 0,
});
