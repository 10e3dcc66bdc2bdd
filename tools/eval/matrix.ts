/**
 * The scenario matrix of `npm run eval` (issue 14): worms across the range of
 * published outbreak speeds, botnet sweeps, heavy hitters, a simulated week
 * of background and organic growth, some with sensors out of step. Each row
 * is a simulated world (services/sensor/scenarios/world.ts) and the targets
 * it is judged against (measure.ts).
 *
 * Background levels are per minute over a /12 and shrink with the space
 * (random scanners: a /16 sees 1/16 of what a /12 sees). The brief's anchor:
 * 30 infected Code Red sources a minute on a /12 is "comparable to everyday
 * background on TCP 445".
 */
import type { Advisory, Protocol } from '../../services/common/avro/generated-types.ts';
import { scansForDoubling } from '../../services/sensor/scenarios/si-worm.ts';
import type { WormSpec } from '../../services/sensor/scenarios/si-worm.ts';
import type { SpaceSpec } from '../../services/sensor/scenarios/space.ts';
import { waveProfile } from '../../services/sensor/scenarios/traffic.ts';
import type { BackgroundSpec, HitterSpec, WaveSpec } from '../../services/sensor/scenarios/traffic.ts';
import type { WorldSpec } from '../../services/sensor/scenarios/world.ts';

/** Monday 00:00 UTC: minute 0 of every row, so the daily rhythm starts at midnight. */
export const EVAL_START = Date.parse('2026-11-23T00:00:00Z');

/** The seed story's advisory, published a week before: scanning on 445 is Pescatore's stage 4 in every row. */
export const MS05_027: Advisory = {
  id: 'MS05-027', title: 'Vulnerability in Server Message Block could allow remote code execution',
  ports: [{ protocol: 'TCP', port: 139 }, { protocol: 'TCP', port: 445 }], severity: 'CRITICAL', published: EVAL_START - 7 * 86_400_000,
  workaround: 'Block TCP ports 139 and 445 at the firewall, inbound and outbound, until patched.', url: null,
};

export type Family = 'worm' | 'sweep' | 'quiet';

export interface MatrixRow {
  readonly name: string;
  readonly family: Family;
  readonly world: WorldSpec;
  /** The port the planted event is on (worm or sweep); quiet rows have none. */
  readonly target?: { readonly protocol: Protocol; readonly port: number };
  /** Event-time onset of the planted event, minutes from the start: a worm's first infections, a sweep's bots outnumbering the port's everyday sources. */
  readonly onsetMinute?: number;
  /** Worms: worm-risk HIGH must come before this infected fraction. */
  readonly highBefore?: number;
  /** The detector's allowed lateness for this row, seconds. */
  readonly latenessSeconds: number;
}

const DAY = 1440;
const WARMUP = 180;

const COMMON: readonly Omit<BackgroundSpec, 'diurnal'>[] = [
  { protocol: 'TCP', port: 445, perMinute: 60, pool: 3000, newShare: 0.3 },
  { protocol: 'TCP', port: 22, perMinute: 80, pool: 4000, newShare: 0.2 },
  { protocol: 'TCP', port: 23, perMinute: 120, pool: 20_000, newShare: 0.5 },
  { protocol: 'TCP', port: 3389, perMinute: 40, pool: 2000, newShare: 0.3 },
  { protocol: 'UDP', port: 1434, perMinute: 10, pool: 500, newShare: 0.3 },
];

/** The common ports' background, scaled to a /`prefix`. */
const background = (prefix: number, diurnal = 0.3): BackgroundSpec[] =>
  COMMON.map((b) => ({ ...b, diurnal, perMinute: b.perMinute * 2 ** (12 - prefix) }));

const space = (prefix: number, sensors: number, liveSensors: number): SpaceSpec => ({ prefix, sensors, liveSensors });

interface WormRowSpec {
  readonly name: string;
  readonly space: SpaceSpec;
  readonly vulnerable: number;
  readonly doublingMinutes: number;
  readonly protocol?: Protocol;
  readonly port?: number;
  readonly liveDensity?: number;
  readonly highBefore?: number;
  readonly skewSeconds?: number;
}

/** A worm from I₀ = 10 at minute 180, played until 3 % of the vulnerable hosts are infected. */
function wormRow(r: WormRowSpec): MatrixRow {
  const worm: WormSpec = {
    protocol: r.protocol ?? 'TCP', port: r.port ?? 445, vulnerable: r.vulnerable,
    scansPerMinute: scansForDoubling(r.vulnerable, r.doublingMinutes), initialInfected: 10, onsetMinute: WARMUP, liveDensity: r.liveDensity ?? 1,
  };
  const minutes = Math.ceil(WARMUP + (Math.log((0.03 * r.vulnerable) / 10) / Math.LN2) * r.doublingMinutes * 1.1) + 2;
  return {
    name: r.name, family: 'worm', target: { protocol: worm.protocol, port: worm.port }, onsetMinute: WARMUP, highBefore: r.highBefore ?? 0.005,
    latenessSeconds: Math.max(10, r.skewSeconds ?? 0),
    world: { minutes, space: r.space, background: background(r.space.prefix), sweeps: [], hitters: [], worm, maxSkewSeconds: r.skewSeconds ?? 0 },
  };
}

/** Code Red v2 as Zou et al. model it: N = 360,000, η = 358 scans/min. */
const CODE_RED_DOUBLING = Math.LN2 / ((358 * 360_000) / 2 ** 32);
const SLAMMER_DOUBLING = 8.5 / 60;

/**
 * A sweep's onset: the first minute its bots outnumber the port's everyday
 * sources (a slow S-shaped climb starts with a handful of bots no detector
 * could or should tell from background).
 */
function sweepOnset(waves: readonly WaveSpec[], everyday: number): number {
  for (let m = 0; ; m++) if (waves.reduce((n, w) => n + w.peak * waveProfile(w, m + 0.5 - w.startMinute), 0) >= everyday) return m;
}

function sweepRow(name: string, s: SpaceSpec, waves: WaveSpec[], skewSeconds = 0): MatrixRow {
  const everyday = background(s.prefix).find((b) => b.port === 445)?.perMinute ?? 0;
  return {
    name, family: 'sweep', target: { protocol: 'TCP', port: 445 }, onsetMinute: sweepOnset(waves, everyday), latenessSeconds: Math.max(10, skewSeconds),
    world: {
      minutes: Math.max(...waves.map((w) => w.startMinute + w.rampMinutes + w.plateauMinutes + w.declineMinutes)) + 60,
      space: s, background: background(s.prefix), sweeps: [{ protocol: 'TCP', port: 445, waves }], hitters: [], maxSkewSeconds: skewSeconds,
    },
  };
}

const wave = (startMinute: number, rampMinutes: number, shape: WaveSpec['shape'], plateauMinutes: number, declineMinutes: number, peak: number): WaveSpec =>
  ({ startMinute, rampMinutes, shape, plateauMinutes, declineMinutes, peak });

function quietRow(name: string, minutes: number, extra: { background?: BackgroundSpec[]; hitters?: HitterSpec[] }): MatrixRow {
  return {
    name, family: 'quiet', latenessSeconds: 10,
    world: { minutes, space: space(12, 16, 4), background: [...background(12), ...(extra.background ?? [])], sweeps: [], hitters: extra.hitters ?? [], maxSkewSeconds: 0 },
  };
}

const CR = { vulnerable: 360_000, doublingMinutes: CODE_RED_DOUBLING };

export const MATRIX: readonly MatrixRow[] = [
  wormRow({ name: 'code-red-v2 /12', space: space(12, 16, 4), ...CR, highBefore: 0.002 }),
  wormRow({ name: 'code-red-v2 /12 dense live nets', space: space(12, 16, 4), ...CR, liveDensity: 20, highBefore: 0.002 }),
  wormRow({ name: 'code-red-v2 /16', space: space(16, 4, 1), ...CR }),
  wormRow({ name: 'code-red-v2 /12 skew 180 s', space: space(12, 16, 4), ...CR, skewSeconds: 180, highBefore: 0.002 }),
  wormRow({ name: 'slammer /16', space: space(16, 4, 1), vulnerable: 75_000, doublingMinutes: SLAMMER_DOUBLING, protocol: 'UDP', port: 1434 }),
  wormRow({ name: 'slammer /12', space: space(12, 16, 4), vulnerable: 75_000, doublingMinutes: SLAMMER_DOUBLING, protocol: 'UDP', port: 1434 }),
  wormRow({ name: 'worm doubling 2 min /14', space: space(14, 8, 2), vulnerable: 200_000, doublingMinutes: 2 }),
  wormRow({ name: 'worm doubling 8 min /12', space: space(12, 32, 8), ...CR, doublingMinutes: 8 }),
  wormRow({ name: 'worm doubling 1 h /13', space: space(13, 16, 4), ...CR, doublingMinutes: 60 }),
  wormRow({ name: 'worm doubling 2 h /12', space: space(12, 32, 8), ...CR, doublingMinutes: 120 }),
  sweepRow('sweep linear 2 min', space(12, 16, 4), [wave(WARMUP, 2, 'linear', 0, 5, 900)]),
  sweepRow('sweep linear 10 min', space(12, 16, 4), [wave(WARMUP, 10, 'linear', 10, 10, 900)]),
  sweepRow('sweep linear 10 min skew 180 s', space(12, 16, 4), [wave(WARMUP, 10, 'linear', 10, 10, 900)], 180),
  sweepRow('sweep S 30 min, plateau 60', space(12, 16, 4), [wave(WARMUP, 30, 's-curve', 60, 30, 1500)]),
  sweepRow('sweep linear 30 min /16', space(16, 4, 1), [wave(WARMUP, 30, 'linear', 20, 20, 100)]),
  sweepRow('sweep 3 staggered waves', space(12, 16, 4), [wave(WARMUP, 5, 's-curve', 10, 5, 600), wave(WARMUP + 30, 5, 's-curve', 10, 5, 900), wave(WARMUP + 60, 5, 's-curve', 10, 5, 1200)]),
  quietRow('heavy hitters, 1 day', DAY, { hitters: [
    { protocol: 'TCP', port: 445, attemptsPerMinute: 3000, fromMinute: 300, minutes: 30 },
    { protocol: 'TCP', port: 22, attemptsPerMinute: 10_000, fromMinute: 600, minutes: 60 },
    { protocol: 'TCP', port: 23, attemptsPerMinute: 2000, fromMinute: 900, minutes: 360 },
  ] }),
  quietRow('organic growth tcp/8080, 3 days', 3 * DAY, { background: [{ protocol: 'TCP', port: 8080, perMinute: 30, pool: 3000, newShare: 0.3, diurnal: 0.3, growth: { fromMinute: DAY, untilMinute: 2 * DAY, doublingMinutes: DAY } }] }),
  quietRow('background, 1 week', 7 * DAY, {}),
];
