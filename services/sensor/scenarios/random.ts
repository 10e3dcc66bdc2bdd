/**
 * A small seeded PRNG (mulberry32): the same seed gives the same scenario on
 * every machine, which is what makes simulator-driven tests reproducible.
 * Not for anything secret.
 */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(rng: Random, min: number, maxInclusive: number): number {
  return min + Math.floor(rng() * (maxInclusive - min + 1));
}

/** A random IPv4 address in the /`prefix` network whose first address is `base` (a 32-bit number). */
export function randomIpv4(rng: Random, base: number, prefix: number): string {
  const host = Math.floor(rng() * 2 ** (32 - prefix));
  const n = (base + host) >>> 0;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
