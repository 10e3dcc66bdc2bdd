import { describe, expect, it } from 'vitest';
import { hash32 } from '../../../../services/detector/sketch/hash.ts';
import { DistinctCounter } from '../../../../services/detector/sketch/hll.ts';

const ip = (seed: number, i: number): string => `${seed}.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;

function filled(n: number, seed = 1, p = 14): DistinctCounter {
  const d = new DistinctCounter(p);
  for (let i = 0; i < n; i++) d.addHash(hash32(ip(seed, i)));
  return d;
}

describe('DistinctCounter', () => {
  it('is exact while small, repeats included', () => {
    const d = filled(1500);
    for (let i = 0; i < 1500; i++) d.addHash(hash32(ip(1, i)));
    expect(d.exact).toBe(true);
    expect(d.count()).toBe(1500);
  });

  it('stays within 2 % at every cardinality from small to millions', { timeout: 60_000 }, () => {
    for (const n of [3000, 10_000, 40_000, 150_000, 1_000_000]) {
      for (const seed of [1, 2]) {
        const err = Math.abs(filled(n, seed).count() - n) / n;
        expect(err, `n=${n} seed=${seed}`).toBeLessThan(0.02);
      }
    }
  });

  it('never holds more than 2^p bytes', () => {
    expect(filled(100).bytes).toBeLessThanOrEqual(1024);
    expect(filled(200_000).bytes).toBe(16_384);
  });

  it('merges sketches into the count of the union (sub-partitions of a hot port)', () => {
    const a = new DistinctCounter();
    const b = new DistinctCounter();
    for (let i = 0; i < 60_000; i++) (i % 2 === 0 ? a : b).addHash(hash32(ip(3, i % 50_000)));
    const small = filled(100, 4);
    a.merge(b);
    a.merge(small);
    expect(Math.abs(a.count() - 50_100) / 50_100).toBeLessThan(0.02);
    const exactUnion = filled(100, 4);
    exactUnion.merge(filled(100, 5));
    expect(exactUnion.count()).toBe(200);
  });
});
