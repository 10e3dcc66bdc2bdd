/**
 * 32-bit hashes of strings for the sketches: FNV-1a over the UTF-16 code
 * units, then MurmurHash3's fmix32 finaliser so that addresses differing only
 * in their last digit still spread over all 32 bits (HyperLogLog reads the
 * top bits as the register index and the rest as the rank).
 * Not for anything adversarial: a sender can at worst make its own sources
 * collide, which only lowers the counts it produces.
 */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hash32(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}
