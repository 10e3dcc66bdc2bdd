/**
 * Synthetic per-window inputs for the trend and worm-risk tests: a seeded
 * random-scanning SI worm seen from a monitored block, botnet ramps and
 * background with a daily rhythm and organic growth. Counts only (distinct
 * and new sources per window), so a day of input takes milliseconds.
 */
import { seededRandom } from '../../../services/sensor/scenarios/random.ts';

/** Seeded uniform [0, 1): the simulator's generator (mulberry32), so both draw the same sequences. */
export const seeded = seededRandom;

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

export function poisson(rand: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rand)));
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = rand(); p > limit; p *= rand()) k += 1;
  return k;
}

export function binomial(rand: () => number, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (n * p > 30 && n * (1 - p) > 30) return Math.min(n, Math.max(0, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * normal(rand))));
  if (n * p < 30 && n > 200) return Math.min(n, poisson(rand, n * p));
  let k = 0;
  for (let i = 0; i < n; i++) if (rand() < p) k += 1;
  return k;
}

export interface WindowCounts {
  distinct: number;
  fresh: number;
}

export interface WormParams {
  /** Vulnerable hosts. */
  readonly n: number;
  /** Scans per minute per infected host. */
  readonly eta: number;
  /** Addresses monitored, as a prefix length (12 = a /12). */
  readonly prefix: number;
  readonly minutes: number;
  readonly seed: number;
}

export interface WormRun {
  readonly counts: WindowCounts[];
  /** Infected fraction at the end of each minute. */
  readonly infected: number[];
}

/**
 * Random-scanning SI worm: new infections per second η·I·(N − I)/2³²/60; a
 * host is seen in a minute with p = 1 − (1 − m/2³²)^(scans it made in it),
 * m = the monitored addresses; new = infected hosts seen for the first time.
 */
export function wormRun(w: WormParams): WormRun {
  const rand = seeded(w.seed);
  const share = 2 ** (32 - w.prefix) / 2 ** 32;
  const seenIn = (scans: number): number => 1 - (1 - share) ** scans;
  let infected = 1;
  let unseen = 1;
  const counts: WindowCounts[] = [];
  const fraction: number[] = [];
  for (let m = 0; m < w.minutes; m++) {
    let distinct = binomial(rand, Math.round(infected), seenIn(w.eta));
    let fresh = binomial(rand, Math.round(unseen), seenIn(w.eta));
    unseen -= fresh;
    for (let s = 0; s < 60; s++) {
      const born = (w.eta * infected * (w.n - infected)) / 2 ** 32 / 60;
      infected = Math.min(w.n, infected + born);
      const seen = binomial(rand, Math.round(born) + (rand() < born % 1 ? 1 : 0), seenIn((w.eta * (60 - s)) / 60));
      distinct += seen;
      fresh += seen;
      unseen += born - seen;
    }
    counts.push({ distinct, fresh });
    fraction.push(infected / w.n);
  }
  return { counts, infected: fraction };
}

export interface BackgroundParams {
  /** Mean distinct sources per minute. */
  readonly mean: number;
  /** Share of them new on the port in the trailing day. */
  readonly freshShare: number;
  /** Daily swing (0.5 = ±50 %), peak at `peakMinute` of the day. */
  readonly swing: number;
  readonly peakMinute?: number;
  /** Doublings of the mean per day (organic growth). */
  readonly growthPerDay: number;
  /** Per-minute multiplicative noise (standard deviation). */
  readonly jitter: number;
  readonly minutes: number;
  readonly seed: number;
  /** Minute of the day the run starts at. */
  readonly startMinute?: number;
}

export function background(b: BackgroundParams): WindowCounts[] {
  const rand = seeded(b.seed);
  const out: WindowCounts[] = [];
  for (let m = 0; m < b.minutes; m++) {
    const day = ((b.startMinute ?? 0) + m - (b.peakMinute ?? 900)) / 1440;
    const mean = b.mean * (1 + b.swing * Math.cos(2 * Math.PI * day)) * 2 ** ((m / 1440) * b.growthPerDay) * Math.max(0, 1 + b.jitter * normal(rand));
    const distinct = poisson(rand, mean);
    out.push({ distinct, fresh: binomial(rand, distinct, b.freshShare) });
  }
  return out;
}

export interface SweepParams {
  /** Minute the first wave starts. */
  readonly start: number;
  readonly rampMinutes: number;
  readonly plateauMinutes: number;
  readonly declineMinutes: number;
  /** Peak distinct sources per minute of the sweep. */
  readonly peak: number;
  readonly shape: 'linear' | 's';
  /** Waves and the minutes between their starts. */
  readonly waves?: number;
  readonly waveGap?: number;
}

/** Expected botnet sources per minute of a sweep: linear or logistic (1 %–99 % over the ramp) climbs, plateau, linear decline. */
export function sweepLevel(s: SweepParams, minute: number): number {
  let total = 0;
  for (let k = 0; k < (s.waves ?? 1); k++) {
    const t = minute - s.start - k * (s.waveGap ?? 0);
    if (t < 0) continue;
    const x = t / s.rampMinutes;
    const up = s.shape === 'linear' ? Math.min(1, x) : x >= 1 ? 1 : 1 / (1 + Math.exp(-9.19 * (x - 0.5)));
    const down = Math.max(0, Math.min(1, 1 - (t - s.rampMinutes - s.plateauMinutes) / Math.max(1, s.declineMinutes)));
    total += s.peak * Math.min(up, down);
  }
  return total;
}

/** Adds a sweep's sources (all new the first time a wave reaches them: 80 % new) to background counts. */
export function withSweep(base: readonly WindowCounts[], s: SweepParams, seed: number): WindowCounts[] {
  const rand = seeded(seed);
  return base.map((c, m) => {
    const bots = poisson(rand, sweepLevel(s, m));
    return { distinct: c.distinct + bots, fresh: c.fresh + binomial(rand, bots, 0.8) };
  });
}

/** Background plus a worm starting at minute `start`. */
export function withWorm(base: readonly WindowCounts[], worm: WormRun, start: number): WindowCounts[] {
  return base.map((c, m) => {
    const w = m >= start ? worm.counts[m - start] : undefined;
    return w === undefined ? c : { distinct: c.distinct + w.distinct, fresh: c.fresh + w.fresh };
  });
}
