import type { ConnectionEvent } from '../../common/avro/generated-types.ts';
import { randomInt, seededRandom } from './random.ts';
import type { Random } from './random.ts';
import type { WormModel } from './model.ts';

const OMEGA = 2 ** 32;
const curves = new WeakMap<WormModel, number[]>();

/**
 * Infected hosts at the start of scenario minute `minute` (0 before the
 * onset), from the deterministic SI recurrence in model.ts. Memoised per
 * model: a simulated day asks for every minute.
 */
export function wormInfected(model: WormModel, minute: number): number {
  if (minute < model.onsetMinute) return 0;
  let curve = curves.get(model);
  if (curve === undefined) {
    curve = [model.initialInfected];
    curves.set(model, curve);
  }
  for (let k = curve.length; k <= minute - model.onsetMinute; k++) {
    const i = curve[k - 1] ?? 0;
    curve.push(Math.min(model.vulnerable, Math.round(i + (model.vulnerable - i) * (1 - Math.exp((-model.scanRatePerMinute * i) / OMEGA)))));
  }
  return curve[minute - model.onsetMinute] ?? 0;
}

const ip = (n: number): string => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/** Address of the k-th infected host: inside the monitored space for a `monitoredShare` of hosts. */
export function wormHostAddress(model: WormModel, seed: number, k: number): { ip: string; monitored: boolean } {
  const rng = seededRandom(seed * 2_654_435_761 + k);
  if (rng() < model.monitoredShare) {
    return { ip: ip(model.monitoredBase + Math.floor(rng() * 2 ** (32 - model.monitoredPrefix))), monitored: true };
  }
  // Unicast space outside 198.0.0.0/8, which holds the monitored networks.
  let first = randomInt(rng, 1, 222);
  if (first === 198) first = 199;
  return { ip: ip(((first << 24) >>> 0) + Math.floor(rng() * 2 ** 24)), monitored: false };
}

/** Knuth's Poisson sampler: λ is small here (probes into the monitored space per host per minute). */
function poisson(rng: Random, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k += 1;
    p *= rng();
  }
  return k;
}

/** The worm's observed events in scenario minute `minute` (unsorted). */
export function wormMinute(model: WormModel, seed: number, minuteStart: number, minute: number): ConnectionEvent[] {
  const scanning = wormInfected(model, minute);
  if (scanning === 0) return [];
  const rng = seededRandom(seed * 97 + minute * 131 + 17);
  const lambda = (model.scanRatePerMinute * 2 ** (32 - model.monitoredPrefix)) / OMEGA;
  const events: ConnectionEvent[] = [];
  const probe = (src: string, dst: string): ConnectionEvent => ({
    eventTime: minuteStart + randomInt(rng, 0, 59_999),
    protocol: model.protocol,
    srcIp: src,
    srcPort: randomInt(rng, 1024, 65535),
    dstIp: dst,
    dstPort: model.port,
    outcome: 'ATTEMPT',
  });
  for (let k = 0; k < scanning; k++) {
    const n = Math.min(poisson(rng, lambda), model.maxProbesPerSource);
    const src = wormHostAddress(model, seed, k).ip;
    for (let j = 0; j < n; j++) events.push(probe(src, ip(model.monitoredBase + Math.floor(rng() * 2 ** (32 - model.monitoredPrefix)))));
  }
  // Hosts infected during this minute: a monitored one was seen receiving its infecting probe.
  const next = wormInfected(model, minute + 1);
  for (let k = scanning; k < next; k++) {
    const victim = wormHostAddress(model, seed, k);
    if (victim.monitored) events.push(probe(wormHostAddress(model, seed, k % scanning).ip, victim.ip));
  }
  return events;
}
