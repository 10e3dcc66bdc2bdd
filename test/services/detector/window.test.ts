import { describe, expect, it } from 'vitest';
import { RotatingBloom } from '../../../services/detector/sketch/bloom.ts';
import { WindowAccumulator, windowStartOf } from '../../../services/detector/window.ts';
import { testOptions } from './fixtures.ts';

const ev = (src: string, dst: string) => ({ eventTime: 1, protocol: 'TCP' as const, srcIp: src, srcPort: 1, dstIp: dst, dstPort: 445, outcome: 'ATTEMPT' as const });
const history = () => ({ sources: new RotatingBloom(16), destinations: new RotatingBloom(16) });

describe('WindowAccumulator', () => {
  it('counts attempts, distinct sources, destinations and sensors', () => {
    const w = new WindowAccumulator(0, 60_000, 7, testOptions);
    const h = history();
    w.add(ev('a', 'x'), 's1', h);
    w.add(ev('a', 'y'), 's1', h);
    w.add(ev('b', 'y'), 's2', h);
    expect(w.figures()).toEqual({ attempts: 3, distinctSources: 2, distinctDestinations: 2, sensors: 2 });
    expect(w.topScanners(1)).toEqual([{ ip: 'a', attempts: 2, destinations: 2 }]);
  });

  it('counts each source once however often it repeats, below and above the tracking limit', () => {
    const small = { ...testOptions, maxTracked: 50 };
    const w = new WindowAccumulator(0, 60_000, 7, small);
    const h = history();
    // 300 sources, each seen 4 times in interleaved rounds: 50 tracked, 250 counted by the sketch alone.
    for (let round = 0; round < 4; round++) for (let i = 0; i < 300; i++) w.add(ev(`10.2.${i >> 8}.${i & 255}`, `d${round}`), 's1', h);
    expect(w.figures()).toEqual({ attempts: 1200, distinctSources: 300, distinctDestinations: 4, sensors: 1 });
    expect(w.extras().newSources).toBe(50);
  });

  it('counts sources new to the port and sources that were destinations on it before', () => {
    const h = history();
    const earlier = new WindowAccumulator(0, 60_000, 7, testOptions);
    earlier.add(ev('10.0.0.1', '198.18.0.9'), 's1', h);
    const later = new WindowAccumulator(60_000, 60_000, 7, testOptions);
    later.add(ev('10.0.0.1', '198.18.0.10'), 's1', h);
    later.add(ev('198.18.0.9', '198.18.0.11'), 's1', h);
    expect(earlier.extras().newSources).toBe(1);
    expect(later.extras()).toMatchObject({ newSources: 1, dscSources: 1 });
  });

  it('calls a source a scanner once it reaches the destination threshold', () => {
    const w = new WindowAccumulator(0, 60_000, 7, testOptions);
    const h = history();
    for (let i = 0; i < 19; i++) w.add(ev('a', `198.18.1.${i}`), 's1', h);
    expect(w.extras().scanners).toBe(0);
    w.add(ev('a', '198.18.2.1'), 's1', h);
    expect(w.extras().scanners).toBe(1);
  });

  it('aligns windows on multiples of their size', () => {
    expect(windowStartOf(125_000, 60_000)).toBe(120_000);
  });
});

describe('WindowAccumulator.merge (a hot port split into sub-partitions by source)', () => {
  it('gives the same figures and scanners as one accumulator that saw everything', () => {
    const whole = new WindowAccumulator(0, 60_000, 7, testOptions);
    const parts = [0, 1, 2].map(() => new WindowAccumulator(0, 60_000, 7, testOptions));
    const h = history();
    for (let i = 0; i < 12_000; i++) {
      const j = (i * 7) % 3000;
      const src = `10.${j >> 8}.${j & 255}.${(j * j) % 9}`;
      // Destinations overlap across parts: the union must not double count them.
      const e = ev(src, `198.18.${i % 40}.${(i * 7) % 250}`);
      whole.add(e, `s${i % 4}`, h);
      parts[src.length % 3]?.add(e, `s${i % 4}`, h);
    }
    const merged = new WindowAccumulator(0, 60_000, 7, testOptions);
    for (const p of parts) merged.merge(p);
    const a = whole.figures();
    const b = merged.figures();
    expect(b.attempts).toBe(a.attempts);
    expect(b.sensors).toBe(a.sensors);
    expect(Math.abs(b.distinctSources - a.distinctSources) / a.distinctSources).toBeLessThan(0.02);
    expect(b.distinctDestinations).toBe(a.distinctDestinations);
    expect(merged.topScanners(3)).toEqual(whole.topScanners(3));
  });
});
