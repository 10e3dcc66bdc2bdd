import { describe, expect, it } from 'vitest';
import { shapeOf } from '../../../services/detector/shape.ts';
import { TrendHistory } from '../../../services/detector/trend-history.ts';
import { trendOf } from '../../../services/detector/trend.ts';
import type { Trend } from '../../../services/detector/trend.ts';
import { background, withSweep, withWorm, wormRun } from './synthetic.ts';
import type { WindowCounts } from './synthetic.ts';

/** The trend after each window of `counts` (1-minute windows). */
function trends(counts: readonly WindowCounts[]): Trend[] {
  const h = new TrendHistory();
  return counts.map((c) => {
    h.push(c.distinct, c.fresh);
    return trendOf(h, 1);
  });
}

const WARM = 400;
const quiet = (seed: number, minutes: number, mean = 30): WindowCounts[] =>
  background({ mean, freshShare: 0.1, swing: 0.5, growthPerDay: 0, jitter: 0.15, minutes, seed, startMinute: seed * 300 });

describe('trendOf', () => {
  // Random-scanning SI worms on a /12 (N = 360,000; η set for the doubling time; Code Red v2 is η = 358/min, ~23 min).
  for (const [doubling, limit] of [[8, 0.01], [23, 0.005]] as const) {
    it(`confirms a worm doubling every ${doubling} min over background before ${limit * 100} % infected`, () => {
      const eta = ((Math.LN2 / doubling) * 2 ** 32) / 360_000;
      for (const seed of [1, 2]) {
        const worm = wormRun({ n: 360_000, eta, prefix: 12, minutes: 20 * doubling, seed });
        const t = trends(withWorm(quiet(seed + 10, WARM + 20 * doubling), worm, WARM));
        expect(t.slice(0, WARM).every((x) => x.verdict === 'NONE')).toBe(true);
        const first = t.findIndex((x) => x.verdict === 'CONFIRMED');
        expect(first).toBeGreaterThan(WARM);
        expect(worm.infected[first - WARM]).toBeLessThan(limit);
        expect(Math.LN2 / (t[first]?.ratePerMinute ?? 1)).toBeGreaterThan(doubling / 2);
        expect(Math.LN2 / (t[first]?.ratePerMinute ?? 1)).toBeLessThan(doubling * 2);
      }
    }, 60_000);
  }

  it('never confirms a single botnet sweep: linear or S-shaped ramps of 2–30 min, any plateau, a decline', () => {
    for (const shape of ['linear', 's'] as const) {
      for (const rampMinutes of [2, 10, 30]) {
        for (const plateauMinutes of [0, 60]) {
          for (const peak of [100, 500]) {
            const counts = withSweep(quiet(rampMinutes + peak, WARM + 160, 50), { start: WARM, rampMinutes, plateauMinutes, declineMinutes: 10, peak, shape }, 5);
            expect(trends(counts).filter((x) => x.verdict === 'CONFIRMED')).toEqual([]);
          }
        }
      }
    }
  }, 120_000);

  it('sees no growth at all in two days of background with a daily rhythm and organic growth (doubling in a day)', () => {
    for (const mean of [30, 100]) {
      const counts = background({ mean, freshShare: 0.3, swing: 0.5, growthPerDay: 1, jitter: 0.15, minutes: 2 * 1440, seed: mean });
      expect(trends(counts).filter((x) => x.verdict !== 'NONE')).toEqual([]);
    }
  }, 120_000);
});

describe('shapeOf', () => {
  it('calls a quick climb and decline a spike, a long plateau sustained, growth growing', () => {
    const opts = { spikeMaxWindows: 15 };
    expect(shapeOf([300, 900, 880, 200], false, opts)).toBe('SPIKE');
    expect(shapeOf([300, 310, 305, 299, 300], false, opts)).toBe('SUSTAINED');
    expect(shapeOf([30, 60, 120], true, opts)).toBe('GROWING');
    expect(shapeOf([300], false, opts)).toBe('UNKNOWN');
  });
});
