import type { ConnectionEvent, Protocol } from '../common/avro/generated-types.ts';
import { randomInt, randomIpv4, seededRandom } from './random.ts';
import type { Random } from './random.ts';

/**
 * Named, seeded traffic scenarios. A scenario is a list of per-port source
 * rates over scenario minutes; every source sends 1-3 attempts to random
 * addresses of the monitored space.
 *
 * Monitored space: 198.18.0.0/15 (RFC 2544 benchmarking range, never routed
 * on the Internet), so simulated data can never be mistaken for real hosts.
 * Source addresses are drawn from a fixed pool per port: real background
 * scanners come back minute after minute.
 */
export interface PortLoad {
  readonly protocol: Protocol;
  readonly port: number;
  /** Distinct sources per minute, for each scenario minute (the last value repeats). */
  readonly sourcesPerMinute: readonly number[];
  /** Size of the pool the sources are drawn from. */
  readonly pool: number;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly minutes: number;
  readonly loads: readonly PortLoad[];
}

const MONITORED_BASE = (198 << 24) + (18 << 16);
const MONITORED_PREFIX = 15;

const steady = (n: number): number[] => [n];

/** Background on common ports, then a botnet-like climb-plateau-decline on TCP 445 (the seed story). */
const demo: Scenario = {
  name: 'demo',
  description: '12 minutes of background on common ports, then a surge on TCP 445 that climbs, holds and declines, then background again',
  minutes: 28,
  loads: [
    { protocol: 'TCP', port: 22, sourcesPerMinute: steady(40), pool: 400 },
    { protocol: 'TCP', port: 23, sourcesPerMinute: steady(30), pool: 300 },
    { protocol: 'TCP', port: 80, sourcesPerMinute: steady(25), pool: 300 },
    { protocol: 'TCP', port: 3389, sourcesPerMinute: steady(30), pool: 300 },
    { protocol: 'UDP', port: 53, sourcesPerMinute: steady(10), pool: 100 },
    {
      protocol: 'TCP',
      port: 445,
      // minute:        0 ... 11, 12,  13,  14,  15,  16,  17,  18, 19, 20 ...
      sourcesPerMinute: [...Array<number>(12).fill(25), 120, 300, 450, 450, 420, 200, 60, 30, 25],
      pool: 5000,
    },
  ],
};

export const SCENARIOS: Readonly<Record<string, Scenario>> = Object.freeze({ demo });

function rateAt(load: PortLoad, minute: number): number {
  const r = load.sourcesPerMinute;
  return r[Math.min(minute, r.length - 1)] ?? 0;
}

/** The events of scenario minute `minute`, sorted by event time. Pure: same inputs, same events. */
export function scenarioMinute(scenario: Scenario, seed: number, startMs: number, minute: number): ConnectionEvent[] {
  const events: ConnectionEvent[] = [];
  scenario.loads.forEach((load, i) => {
    const rng = seededRandom(seed * 1_000_003 + minute * 7919 + i);
    const pool = seededRandom(seed * 31 + i);
    // A /16-ish pool in 1.0.0.0-222.255.255.255 (unicast space), fixed per seed and port.
    const poolBase = ((randomInt(pool, 1, 222) << 24) >>> 0) + randomInt(pool, 0, 0xffff) * 256;
    for (const src of pickSources(rng, load, minute, poolBase)) {
      const attempts = randomInt(rng, 1, 3);
      for (let k = 0; k < attempts; k++) events.push(attempt(rng, load, src, startMs + minute * 60_000));
    }
  });
  return events.sort((a, b) => a.eventTime - b.eventTime);
}

function pickSources(rng: Random, load: PortLoad, minute: number, poolBase: number): Set<string> {
  const wanted = Math.min(rateAt(load, minute), load.pool);
  const chosen = new Set<string>();
  while (chosen.size < wanted) {
    const n = (poolBase + randomInt(rng, 0, load.pool - 1) * 7) >>> 0;
    chosen.add(`${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`);
  }
  return chosen;
}

function attempt(rng: Random, load: PortLoad, srcIp: string, minuteStart: number): ConnectionEvent {
  return {
    eventTime: minuteStart + randomInt(rng, 0, 59_999),
    protocol: load.protocol,
    srcIp,
    srcPort: randomInt(rng, 1024, 65535),
    dstIp: randomIpv4(rng, MONITORED_BASE, MONITORED_PREFIX),
    dstPort: load.port,
    outcome: load.protocol === 'TCP' ? 'REJECTED' : 'ATTEMPT',
  };
}
