/**
 * Seeded draws for the scenario models (world.ts): independent streams per
 * (seed, component, slice), Poisson counts, and addresses from hashes. A
 * stream is derived from its coordinates, never from the draws before it, so
 * any slice of a long run can be generated on its own and a run is the same
 * whatever is generated alongside it.
 */
import { seededRandom } from './random.ts';
import type { Random } from './random.ts';

/** murmur3's 32-bit finaliser: a well-mixed hash of a 32-bit value. */
function fmix32(h: number): number {
  let x = h >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A 32-bit hash of several integers (seed, component, index...). */
export function mix(...parts: readonly number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) h = fmix32(h ^ fmix32(Math.floor(p) >>> 0) ^ Math.floor(p / 4294967296));
  return h;
}

/** An independent random stream for these coordinates. */
export function streamOf(...parts: readonly number[]): Random {
  return seededRandom(mix(...parts));
}

/** A standard normal draw (Box-Muller). */
export function gaussian(rng: Random): number {
  const u = 1 - rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * A Poisson(λ) draw: Knuth's product of uniforms for λ < 30; above, the
 * normal approximation N(λ, λ) rounded (its error there is under 1 % of the
 * standard deviation's effect on any count the detector reads).
 */
export function poisson(rng: Random, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda >= 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian(rng)));
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k += 1;
    p *= rng();
  }
  return k;
}

/** Dotted-quad text of a 32-bit address. */
export function ipText(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/**
 * A unicast address outside 198.0.0.0/8 (which holds the monitored space)
 * for hash `h`: first octet 1-223, 198 moved to 199.
 */
export function outsideAddress(h: number): number {
  let first = 1 + (h % 223);
  if (first === 198) first = 199;
  return ((first << 24) >>> 0) + (mix(h, 1) & 0xffffff);
}
