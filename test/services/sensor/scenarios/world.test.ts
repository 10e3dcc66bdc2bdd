import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../../../services/common/avro/generated-types.ts';
import { doublingMinutes, infectedAt, infectionTime, scansForDoubling } from '../../../../services/sensor/scenarios/si-worm.ts';
import type { WormSpec } from '../../../../services/sensor/scenarios/si-worm.ts';
import { backgroundMean, waveProfile } from '../../../../services/sensor/scenarios/traffic.ts';
import { arrivals, SLICE_MS, worldSlices } from '../../../../services/sensor/scenarios/world.ts';
import type { WorldSpec } from '../../../../services/sensor/scenarios/world.ts';

const T0 = Date.parse('2026-11-23T00:00:00Z');
const MIN = 60_000;
const codeRed: WormSpec = { protocol: 'TCP', port: 445, vulnerable: 360_000, scansPerMinute: 358, initialInfected: 10, onsetMinute: 0, liveDensity: 1 };
const quiet = (over: Partial<WorldSpec>): WorldSpec => ({ minutes: 10, space: { prefix: 12, sensors: 16, liveSensors: 4 }, background: [], sweeps: [], hitters: [], maxSkewSeconds: 0, ...over });

/** Every event of a world, with its sensor index, per minute. */
function minutes(world: WorldSpec, seed = 1): ConnectionEvent[][] {
  const out: ConnectionEvent[][] = Array.from({ length: world.minutes }, () => []);
  for (const slice of worldSlices(world, seed, T0)) for (const events of slice) for (const e of events) out[Math.floor((e.eventTime - T0) / MIN)]?.push(e);
  return out;
}
const distinct = (events: readonly ConnectionEvent[], key: 'srcIp' | 'dstIp'): number => new Set(events.map((e) => e[key])).size;

describe('SI worm model', () => {
  it('doubles every ~23 minutes with Code Red v2 parameters (Zou et al.) and inverts exactly', () => {
    expect(doublingMinutes(codeRed)).toBeCloseTo(23.1, 1);
    expect(infectedAt(codeRed, doublingMinutes(codeRed) * MIN)).toBeCloseTo(20, 1);
    expect(infectedAt(codeRed, infectionTime(codeRed, 999))).toBeCloseTo(1000, 6);
    expect(scansForDoubling(75_000, 8.5 / 60) / 60).toBeGreaterThan(4000);
  });

  it('shows a /12 about 30 sources a minute when 0.1 % of Code Red is infected (the brief figure)', () => {
    const at = Math.ceil(infectionTime(codeRed, 359) / MIN);
    const world = quiet({ minutes: at + 1, worm: codeRed });
    const seen = distinct(minutes(world)[at] ?? [], 'srcIp');
    expect(seen).toBeGreaterThan(20);
    expect(seen).toBeLessThan(45);
  }, 30_000);

  it('lets a live network host be scanned on the port and then scan on it (destination→source correlation)', () => {
    const world = quiet({ minutes: 200, worm: { ...codeRed, liveDensity: 50 } });
    const all = minutes(world).flat();
    const victim = all.find((e) => all.some((s) => s.srcIp === e.dstIp && s.eventTime > e.eventTime));
    expect(victim).toBeDefined();
    expect(victim?.dstIp.startsWith('198.')).toBe(true);
  }, 30_000);
});

describe('background, sweeps and hitters', () => {
  it('follow their mean: a daily rhythm, organic growth that doubles over a day, then holds', () => {
    const b = { protocol: 'TCP' as const, port: 8080, perMinute: 40, pool: 1000, newShare: 0.3, diurnal: 0.5, growth: { fromMinute: 1440, untilMinute: 2880, doublingMinutes: 1440 } };
    expect(backgroundMean(b, 1080)).toBeCloseTo(60);
    expect(backgroundMean(b, 360)).toBeCloseTo(20);
    expect(backgroundMean(b, 1440 + 720)).toBeCloseTo(40 * Math.SQRT2);
    expect(backgroundMean(b, 2880 + 1080)).toBeCloseTo(120);
    expect(backgroundMean(b, 5760 + 1080)).toBeCloseTo(120);
    const seen = minutes(quiet({ background: [{ protocol: 'TCP', port: 8080, perMinute: 40, pool: 1000, newShare: 0.3, diurnal: 0 }] }));
    const mean = seen.reduce((n, m) => n + distinct(m, 'srcIp'), 0) / seen.length;
    expect(mean).toBeGreaterThan(32);
    expect(mean).toBeLessThan(44);
  });

  it('climb in a straight line or an S, hold and decline', () => {
    const w = { startMinute: 0, rampMinutes: 10, plateauMinutes: 5, declineMinutes: 10, peak: 100 };
    expect(waveProfile({ ...w, shape: 'linear' }, 2.5)).toBeCloseTo(0.25);
    expect(waveProfile({ ...w, shape: 's-curve' }, 2.5)).toBeLessThan(0.1);
    expect(waveProfile({ ...w, shape: 's-curve' }, 5)).toBeCloseTo(0.5);
    expect(waveProfile({ ...w, shape: 'linear' }, 12)).toBe(1);
    expect(waveProfile({ ...w, shape: 'linear' }, 20)).toBeCloseTo(0.5);
    expect(waveProfile({ ...w, shape: 'linear' }, 26)).toBe(0);
  });

  it('keep a heavy hitter to one source however hard it scans', () => {
    const seen = minutes(quiet({ minutes: 3, hitters: [{ protocol: 'TCP', port: 445, attemptsPerMinute: 3000, fromMinute: 1, minutes: 1 }] }));
    expect(seen[1]?.length).toBe(3000);
    expect(distinct(seen[1] ?? [], 'srcIp')).toBe(1);
    expect(seen[2]).toEqual([]);
  });
});

describe('world', () => {
  const world = quiet({
    minutes: 20, maxSkewSeconds: 60,
    background: [{ protocol: 'TCP', port: 22, perMinute: 50, pool: 500, newShare: 0.3, diurnal: 0.3 }],
    sweeps: [{ protocol: 'TCP', port: 445, waves: [{ startMinute: 5, rampMinutes: 3, shape: 'linear', plateauMinutes: 2, declineMinutes: 3, peak: 200 }] }],
  });

  it('is the same for the same seed and differs for another', () => {
    expect([...arrivals(world, 7, T0)]).toEqual([...arrivals(world, 7, T0)]);
    expect([...arrivals(world, 8, T0)]).not.toEqual([...arrivals(world, 7, T0)]);
  });

  it('delivers each sensor in order but the sensors out of step by at most the skew, losing nothing', () => {
    const steps = [...arrivals(world, 7, T0)];
    const all = steps.flatMap((s) => s.batches.flatMap((b) => b.events));
    expect(all.length).toBe(minutes(world, 7).flat().length);
    let lag = 0;
    for (const s of steps) for (const b of s.batches) for (const e of b.events) lag = Math.max(lag, T0 + s.at - e.eventTime);
    expect(lag).toBeGreaterThan(SLICE_MS);
    expect(lag).toBeLessThanOrEqual(60_000 + SLICE_MS);
  });
});
