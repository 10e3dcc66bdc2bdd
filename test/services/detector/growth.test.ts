import { describe, expect, it } from 'vitest';
import { growthOf } from '../../../services/detector/growth.ts';
import { shapeOf } from '../../../services/detector/shape.ts';

const opts = { growthWindows: 6, minExcess: 5, minRate: 0.05 };

describe('growthOf', () => {
  it('finds steady exponential growth above the baseline and its doubling time', () => {
    const worm = [0, 1, 2, 3, 4, 5].map((t) => 25 + Math.round(10 * Math.exp(0.25 * t)));
    const g = growthOf(worm, 25, opts);
    expect(g.growing).toBe(true);
    expect(g.rate).toBeCloseTo(0.25, 1);
    expect(g.doublingWindows).toBeCloseTo(Math.LN2 / 0.25, 0);
  });

  it('does not call a climb that flattens into a plateau growth (a botnet sweep)', () => {
    expect(growthOf([141, 460, 955, 881, 833, 986], 25, opts).growing).toBe(false);
    expect(growthOf([25, 25, 141, 460, 955, 955], 25, opts).growing).toBe(false);
  });

  it('ignores runs whose excess is too small to be more than noise', () => {
    expect(growthOf([26, 27, 28, 29, 30, 32], 25, opts).growing).toBe(false);
  });
});

describe('shapeOf', () => {
  it('calls a quick climb and decline a spike, a long plateau sustained, growth growing', () => {
    expect(shapeOf([120, 300, 450, 450, 420, 200, 60], false, { spikeMaxWindows: 15 })).toBe('SPIKE');
    expect(shapeOf(Array<number>(20).fill(400), false, { spikeMaxWindows: 15 })).toBe('SUSTAINED');
    expect(shapeOf([100, 130], true, { spikeMaxWindows: 15 })).toBe('GROWING');
    expect(shapeOf([100], false, { spikeMaxWindows: 15 })).toBe('UNKNOWN');
  });
});
