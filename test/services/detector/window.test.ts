import { describe, expect, it } from 'vitest';
import { WindowAccumulator, windowStartOf } from '../../../services/detector/window.ts';

describe('WindowAccumulator', () => {
  it('counts attempts, distinct sources, destinations and sensors', () => {
    const w = new WindowAccumulator(0, 60_000);
    const ev = (src: string, dst: string) => ({ eventTime: 1, protocol: 'TCP' as const, srcIp: src, srcPort: 1, dstIp: dst, dstPort: 445, outcome: 'ATTEMPT' as const });
    w.add(ev('a', 'x'), 's1');
    w.add(ev('a', 'y'), 's1');
    w.add(ev('b', 'y'), 's2');
    expect(w.figures()).toEqual({ attempts: 3, distinctSources: 2, distinctDestinations: 2, sensors: 2 });
    expect(w.topScanners(1)).toEqual([{ ip: 'a', attempts: 2, destinations: 2 }]);
  });

  it('aligns windows on multiples of their size', () => {
    expect(windowStartOf(125_000, 60_000)).toBe(120_000);
  });
});
