/**
 * The monitored space of a simulated world: one prefix inside 198.16.0.0/12
 * (RFC 2544's benchmarking /15 sits in it; none of it is routed), split into
 * equal blocks, one sensor each. The first `liveSensors` blocks are live
 * networks with hosts of their own (a worm can infect them, and their sensor
 * then sees them scan outwards); the others are darknets.
 */
import type { Random } from './random.ts';

export interface SpaceSpec {
  /** Prefix length of the monitored space: 12 (a /12, 1,048,576 addresses) to 16. */
  readonly prefix: number;
  /** Sensors, a power of two from 1 to 32: each watches an equal block. */
  readonly sensors: number;
  /** Sensors whose blocks are live networks (the first ones). */
  readonly liveSensors: number;
}

export const MONITORED_BASE = ((198 << 24) >>> 0) + (16 << 16);

export class MonitoredSpace {
  readonly spec: SpaceSpec;
  /** Addresses monitored. */
  readonly size: number;
  readonly #blockBits: number;

  constructor(spec: SpaceSpec) {
    if (spec.prefix < 12 || spec.prefix > 24) throw new RangeError(`monitored prefix /${spec.prefix} is outside /12../24`);
    if (!Number.isInteger(Math.log2(spec.sensors)) || spec.sensors > 32) throw new RangeError(`sensors must be a power of two up to 32, got ${spec.sensors}`);
    this.spec = spec;
    this.size = 2 ** (32 - spec.prefix);
    this.#blockBits = 32 - spec.prefix - Math.log2(spec.sensors);
  }

  /** The sensor id watching a monitored address. */
  sensorOf(address: number): number {
    return Math.floor((address - MONITORED_BASE) / 2 ** this.#blockBits);
  }

  /** A uniformly random monitored address (where a random scan lands). */
  randomAddress(rng: Random): number {
    return MONITORED_BASE + Math.floor(rng() * this.size);
  }

  /** Addresses in the live networks. */
  get liveSize(): number {
    return this.spec.liveSensors * 2 ** this.#blockBits;
  }

  /** A uniformly random address in the live networks. */
  randomLiveAddress(rng: Random): number {
    return MONITORED_BASE + Math.floor(rng() * this.liveSize);
  }
}

export const sensorName = (index: number): string => `sensor-${String(index).padStart(2, '0')}`;
