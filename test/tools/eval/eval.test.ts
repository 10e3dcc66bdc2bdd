import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../services/common/avro/generated-types.ts';
import { loadDetectorConfig } from '../../../services/detector/config.ts';
import type { MatrixRow } from '../../../tools/eval/matrix.ts';
import { measure } from '../../../tools/eval/measure.ts';
import { playWorld } from '../../../tools/eval/play.ts';
import { table } from '../../../tools/eval/table.ts';

const T0 = Date.parse('2026-11-23T00:00:00Z');
const options = { ...loadDetectorConfig({}).detector, bloomBits: 20 };
const background = [
  { protocol: 'TCP' as const, port: 445, perMinute: 30, pool: 500, newShare: 0.3, diurnal: 0.3 },
  { protocol: 'TCP' as const, port: 22, perMinute: 40, pool: 500, newShare: 0.3, diurnal: 0.3 },
];

/** A small matrix: a sweep with sensors out of step, and a quiet hour with a heavy hitter. */
const sweep: MatrixRow = {
  name: 'small sweep', family: 'sweep', target: { protocol: 'TCP', port: 445 }, onsetMinute: 20, latenessSeconds: 30,
  world: {
    minutes: 45, space: { prefix: 14, sensors: 8, liveSensors: 2 }, background, hitters: [], maxSkewSeconds: 30,
    sweeps: [{ protocol: 'TCP', port: 445, waves: [{ startMinute: 20, rampMinutes: 3, shape: 'linear', plateauMinutes: 5, declineMinutes: 5, peak: 400 }] }],
  },
};
const hitter: MatrixRow = {
  name: 'small hitter', family: 'quiet', latenessSeconds: 10,
  world: { minutes: 60, space: { prefix: 14, sensors: 8, liveSensors: 2 }, background, sweeps: [], maxSkewSeconds: 0, hitters: [{ protocol: 'TCP', port: 22, attemptsPerMinute: 3000, fromMinute: 20, minutes: 10 }] },
};
const run = (row: MatrixRow): Alert[] => playWorld(row.world, 3, T0, { ...options, allowedLatenessMs: row.latenessSeconds * 1000 }).alerts;

describe('npm run eval', () => {
  it('gives the same alerts for the same seed (replay is deterministic)', () => {
    const first = [run(sweep), run(hitter)];
    expect(first[0]?.length).toBeGreaterThan(0);
    expect([run(sweep), run(hitter)]).toEqual(first);
  }, 60_000);

  it('measures a sweep in event time: a surge from the onset, judged against the targets', () => {
    const played = playWorld(sweep.world, 3, T0, { ...options, allowedLatenessMs: 30_000 });
    const f = measure(sweep, played.alerts, T0, options.windowMs);
    expect(played.late).toBe(0);
    expect(f.surgeInTime).toBe(true);
    expect(f.surgeDelayMinutes).toBeGreaterThan(0);
    expect(f.surgeDelayMinutes).toBeLessThan(3);
    expect(f.infectedAtHigh).toBeNull();
    const printed = table([{ row: sweep, figures: f, events: played.events, late: played.late }]);
    expect(printed.split('\n')).toHaveLength(3);
    expect(printed).toContain('| small sweep | /14, 8 (2 live), skew 30 s |');
  }, 60_000);

  it('counts every surge in a quiet row as a false notification', () => {
    const fake = { kind: 'SURGE', protocol: 'TCP', port: 22, wormRisk: { level: 'NONE' }, windowStart: T0, eventTime: T0 } as Alert;
    const f = measure(hitter, [fake, fake], T0, options.windowMs);
    expect(f).toMatchObject({ falseAlerts: 2, falsePerDay: 48, pass: false });
    expect(measure(hitter, run(hitter), T0, options.windowMs)).toMatchObject({ falseAlerts: 0, pass: true });
  }, 60_000);
});
