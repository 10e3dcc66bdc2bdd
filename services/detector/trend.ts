import { chi2Zero, fitBoundedQuadratic, fitExponential, fitHinge, rateGrid } from './trend-fit.ts';
import { BLOCK, SERIES_NAMES } from './trend-history.ts';
import type { SeriesIndex, TrendHistory } from './trend-history.ts';

/**
 * Is a port's traffic growing exponentially, the way a random-scanning worm
 * grows, rather than ramping like a botnet or swinging with the time of day?
 * "Detect the trend, not the burst" (Zou et al. 2003). See the README's
 * Worm-risk section for the reasoning and the figures behind each constant.
 *
 * For spans of 8–48 windows and 48–288 minutes (8-window blocks), on both the
 * distinct and the new sources, the excess over a reference (the median of the
 * points just before the span, which growth inside the span cannot drag) is fitted
 * three ways (trend-fit.ts). The span shows exponential growth when
 * - the exponential explains the excess (χ² gain ≥ 25 over "no excess": ~5σ);
 * - it beats a linear ramp starting anywhere in the span and a line with at
 *   most a daily rhythm's curvature by a χ² of ≥ 6 (AIC-like);
 * - the last third of the span is not below the curve (z ≥ −2): no bend yet;
 * - its rate is at least ln 2 / 4 h.
 * Verdicts: CONFIRMED when the growth cannot be a recruitment ramp — a slow
 * rate (≤ 0.06/min, doubling ≥ 11.5 min: a ramp that slow would take over 75 min,
 * longer than any botnet ramp of 2–30 min) held over ≥ 30 min, or a fast rate
 * held over ≥ 6 doublings above the noise (an S-shaped ramp bends after ~4–5) —
 * PROVISIONAL when it shows at least one doubling above the noise but not that.
 */
export type TrendVerdict = 'NONE' | 'PROVISIONAL' | 'CONFIRMED';

export interface Trend {
  readonly verdict: TrendVerdict;
  readonly series: string;
  readonly ratePerMinute: number;
  readonly spanMinutes: number;
  /** Per minute: the reference level and the fitted excess over it now. */
  readonly reference: number;
  readonly excess: number;
  /** Doublings of the fitted excess since it rose above twice the noise. */
  readonly visibleDoublings: number;
  /** χ² by which the exponential beats the best other shape. */
  readonly gain: number;
}

export const NO_TREND: Trend = Object.freeze({ verdict: 'NONE', series: SERIES_NAMES[0], ratePerMinute: 0, spanMinutes: 0, reference: 0, excess: 0, visibleDoublings: 0, gain: 0 });

const FINE_SPANS = [8, 16, 32, 48];
const COARSE_SPANS = [6, 9, 12, 18, 24, 36];
const REFERENCE_POINTS = { fine: 16, coarse: 6 };
const SIGNIFICANCE = 25;
const DISTINCTION = 6;
const BEND_Z = -2;
const MIN_RATE = Math.LN2 / 240;
const MAX_RATE = 4;
const SLOW_RATE = 0.06;
const SLOW_SPAN_MINUTES = 30;
const FAST_DOUBLINGS = 6;
const MIN_VISIBLE_POINTS = 3;
const FAST_VISIBLE_POINTS = 5;
const JUMP_Z = 4;
/** 3 ω² / 2 of a 24-hour cycle, per minute² and unit of level: the most curvature a daily swing of ±75 % gives near its trough. */
const DAILY_CURVATURE = (3 * (2 * Math.PI / 1440) ** 2) / 2;

const RATES = { fine: rateGrid(MIN_RATE, MAX_RATE), coarse: rateGrid(MIN_RATE * BLOCK, MAX_RATE) };

/** The strongest verdict over every span and both series of `h`. */
export function trendOf(h: TrendHistory, windowMinutes: number): Trend {
  let best = NO_TREND;
  for (const i of [0, 1] as const) {
    for (const coarse of [false, true]) {
      for (const span of coarse ? COARSE_SPANS : FINE_SPANS) {
        const t = judgeSpan(h, i, coarse, span, windowMinutes);
        if (t !== undefined && better(t, best)) best = t;
      }
    }
  }
  return best;
}

const RANK: Readonly<Record<TrendVerdict, number>> = { NONE: 0, PROVISIONAL: 1, CONFIRMED: 2 };
const better = (a: Trend, b: Trend): boolean => RANK[a.verdict] > RANK[b.verdict] || (RANK[a.verdict] === RANK[b.verdict] && a.gain > b.gain);

function judgeSpan(h: TrendHistory, i: SeriesIndex, coarse: boolean, span: number, windowMinutes: number): Trend | undefined {
  const all = h.series(i, coarse);
  const refPoints = coarse ? REFERENCE_POINTS.coarse : REFERENCE_POINTS.fine;
  if (all.length < span + refPoints) return undefined;
  const dt = windowMinutes * (coarse ? BLOCK : 1);
  const ref = all.slice(all.length - span - refPoints, all.length - span);
  const r0 = median(ref);
  const dispersion = dispersionOf(h.series(i, false));
  const points = all.slice(-span);
  const e = points.map((y) => y - r0);
  const noise = Math.sqrt(dispersion * Math.max(r0, 1));
  // Cheap gate: the last points must stand above the reference at all.
  const tail = e.slice(-3);
  if (tail.reduce((s, v) => s + v, 0) / tail.length < (2 * noise) / Math.sqrt(tail.length)) return undefined;
  const w = points.map((y) => 1 / (dispersion * Math.max(y, r0, 1)));
  const exp = fitExponential(e, w, coarse ? RATES.coarse : RATES.fine);
  const ratePerMinute = exp.rate / dt;
  if (ratePerMinute < MIN_RATE || chi2Zero(e, w) - exp.chi2 < SIGNIFICANCE) return undefined;
  const curvature = DAILY_CURVATURE * Math.max(r0, median(points), 1) * dt * dt;
  const gain = Math.min(fitHinge(e, w), fitBoundedQuadratic(e, w, curvature)) - exp.chi2;
  if (gain < DISTINCTION || Math.min(bendZ(e, w, exp.rate, exp.level, 3), bendZ(e, w, exp.rate, exp.level, Math.floor(span / 3))) < BEND_Z || jumpZ(e, w, exp.rate, coarse) > JUMP_Z) return undefined;
  const visibleDoublings = Math.log2(Math.max(1, exp.level / (2 * noise)));
  // Points over which the fitted excess has been above twice the noise: growth seen, not one jump.
  const visiblePoints = (visibleDoublings * Math.LN2) / exp.rate;
  const spanMinutes = span * dt;
  if (visibleDoublings < 1 || visiblePoints < MIN_VISIBLE_POINTS) return undefined;
  const confirmed = ratePerMinute <= SLOW_RATE ? spanMinutes >= SLOW_SPAN_MINUTES : visibleDoublings >= FAST_DOUBLINGS && visiblePoints >= FAST_VISIBLE_POINTS;
  const verdict: TrendVerdict = confirmed ? 'CONFIRMED' : 'PROVISIONAL';
  return { verdict, series: SERIES_NAMES[i], ratePerMinute, spanMinutes, reference: r0 / dt, excess: exp.level / dt, visibleDoublings, gain };
}

/**
 * Variance / mean of the per-window counts (at least 1, as for Poisson counts), from the
 * median absolute difference of consecutive windows: differences cancel any trend, the
 * median ignores bursts. Blocks of independent windows have the same ratio.
 */
function dispersionOf(fine: readonly number[]): number {
  if (fine.length < 8) return 1;
  const diffs = fine.slice(1).map((v, t) => Math.abs(v - (fine[t] ?? 0)));
  const sd = (1.4826 * median(diffs)) / Math.SQRT2;
  return Math.max(1, (sd * sd) / Math.max(median(fine), 1));
}

/** z-score of the weighted residuals of the last `last` points under the fitted exponential: below the curve = bending. */
function bendZ(e: readonly number[], w: readonly number[], rate: number, level: number, last: number): number {
  const n = e.length;
  let s = 0;
  let sw = 0;
  for (let t = n - last; t < n; t++) {
    const wt = w[t] ?? 0;
    s += wt * ((e[t] ?? 0) - level * Math.exp(rate * (t - n + 1)));
    sw += wt;
  }
  return sw > 0 ? s / Math.sqrt(sw) : 0;
}

/**
 * How far the last point stands above the exponential fitted to the others
 * (z-score): a sweep that starts in the last window is a jump, not growth.
 */
function jumpZ(e: readonly number[], w: readonly number[], rate: number, coarse: boolean): number {
  const n = e.length;
  const head = fitExponential(e.slice(0, -1), w.slice(0, -1), coarse ? RATES.coarse : RATES.fine);
  const predicted = head.level * Math.exp(Math.max(rate, head.rate));
  const wLast = w[n - 1] ?? 0;
  return ((e[n - 1] ?? 0) - predicted) * Math.sqrt(wLast);
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return 0;
  return n % 2 === 1 ? (s[n >> 1] ?? 0) : ((s[n / 2 - 1] ?? 0) + (s[n / 2] ?? 0)) / 2;
}
