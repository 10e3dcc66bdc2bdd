import type { ConnectionEvent } from '../../common/avro/generated-types.ts';
import { randomInt, randomIpv4, seededRandom } from './random.ts';
import type { Random } from './random.ts';
import type { PortLoad, Scenario } from './model.ts';
import { wormMinute } from './worm.ts';

/**
 * Turns a named, seeded scenario (catalogue.ts) into connection events. Every
 * source of a port load sends `attempts` attempts to random addresses of the
 * monitored space. Source addresses are drawn from a fixed pool per port: real
 * background scanners come back minute after minute.
 *
 * Monitored space: 198.18.0.0/15 (RFC 2544 benchmarking range, never routed
 * on the Internet), so simulated data can never be mistaken for real hosts.
 */
export type { PortLoad, Scenario, WormModel } from './model.ts';
export { SCENARIOS } from './catalogue.ts';
export { wormInfected } from './worm.ts';

const MONITORED_BASE = (198 << 24) + (18 << 16);
const MONITORED_PREFIX = 15;

function rateAt(load: PortLoad, rng: Random, minute: number): number {
  const r = load.sourcesPerMinute;
  const mean = r[Math.min(minute, r.length - 1)] ?? 0;
  const jitter = load.jitter ?? 0;
  return jitter === 0 ? mean : Math.max(0, Math.round(mean * (1 + jitter * (2 * rng() - 1))));
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
      const attempts = randomInt(rng, load.attempts?.[0] ?? 1, load.attempts?.[1] ?? 3);
      for (let k = 0; k < attempts; k++) events.push(attempt(rng, load, src, startMs + minute * 60_000));
    }
  });
  if (scenario.worm !== undefined) events.push(...wormMinute(scenario.worm, seed, startMs + minute * 60_000, minute));
  return events.sort((a, b) => a.eventTime - b.eventTime);
}

function pickSources(rng: Random, load: PortLoad, minute: number, poolBase: number): Set<string> {
  const wanted = Math.min(rateAt(load, rng, minute), load.pool);
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
