import type { Protocol } from '../../common/avro/generated-types.ts';

/**
 * What a simulator scenario is made of (the data; `generate.ts` turns it into
 * events, `catalogue.ts` names the ones Portent ships).
 */
export interface PortLoad {
  readonly protocol: Protocol;
  readonly port: number;
  /** Distinct sources per minute, for each scenario minute (the last value repeats). */
  readonly sourcesPerMinute: readonly number[];
  /** Size of the pool the sources are drawn from. */
  readonly pool: number;
  /** Attempts per source per minute, inclusive range; default [1, 3]. */
  readonly attempts?: readonly [number, number];
  /** Relative noise on the per-minute source count, e.g. 0.15 = ±15 % uniform; default 0 (exact). */
  readonly jitter?: number;
}

/**
 * A random-scanning worm as an SI (susceptible-infected) model, after
 * Zou et al. 2003 and Gu et al. 2004:
 *   I(t+1) = I(t) + (N − I(t)) · (1 − exp(−η · I(t) / Ω)),  Ω = 2^32
 * Every infected host sends η probes a minute to uniformly random IPv4
 * addresses; the sensors see those that land in the monitored space (a /k:
 * about η · 2^−k of them per host per minute). `monitoredShare` of the
 * vulnerable hosts live inside the monitored networks: when one is infected
 * the sensors saw the infecting probe arrive (a destination on the port), and
 * from the next minute they see it scan (a source on the port): the
 * destination→source correlation of Gu et al.
 */
export interface WormModel {
  readonly protocol: Protocol;
  readonly port: number;
  /** N: vulnerable hosts on the Internet. */
  readonly vulnerable: number;
  /** η: probes per infected host per minute. */
  readonly scanRatePerMinute: number;
  /** The monitored space: first address (32-bit number) and prefix length. */
  readonly monitoredBase: number;
  readonly monitoredPrefix: number;
  /** Share of the vulnerable hosts that live inside the monitored (live) networks. */
  readonly monitoredShare: number;
  readonly initialInfected: number;
  /** Scenario minute the first hosts are infected. */
  readonly onsetMinute: number;
  /**
   * Sampling cap: at most this many observed probes per infected host per
   * minute. Detection reads distinct sources and destinations, so capping a
   * fast scanner's attempts keeps a long run cheap without changing who is seen.
   */
  readonly maxProbesPerSource: number;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly minutes: number;
  readonly loads: readonly PortLoad[];
  readonly worm?: WormModel;
}
