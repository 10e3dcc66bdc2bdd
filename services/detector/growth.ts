/**
 * Exponential growth of the excess distinct sources (observed − baseline)
 * over the last closed windows: "detect the trend, not the burst" (Zou et al.
 * 2003 watch a Kalman-filtered infection rate settle at a positive constant).
 *
 * Portent fits ln(excess) = a + r·t by least squares over the last
 * `growthWindows` windows (6) and calls it growth only when
 * - every window of the run has an excess of at least `minExcess` sources
 *   (log-ratios of tiny counts are noise);
 * - the rate r is above `minRate` (0.05/min: doubling in < 14 minutes);
 * - the fit is good (R² ≥ 0.7); and
 * - the rate has settled: the slope over the later half is at least half the
 *   slope over the earlier half. A botnet's climb-and-plateau fits a steep
 *   line for a few windows and then flattens; it fails this test, while an
 *   early worm (constant rate, SI model) passes it.
 * Doubling time = ln 2 / r.
 */
export interface GrowthOptions {
  readonly growthWindows: number;
  readonly minExcess: number;
  readonly minRate: number;
}

export interface Growth {
  readonly growing: boolean;
  /** Fitted rate per window (0 when there is no usable run). */
  readonly rate: number;
  readonly rSquared: number;
  readonly doublingWindows: number | null;
}

export const NO_GROWTH: Growth = Object.freeze({ growing: false, rate: 0, rSquared: 0, doublingWindows: null });

function slope(y: readonly number[]): { rate: number; rSquared: number } {
  const n = y.length;
  const mt = (n - 1) / 2;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  y.forEach((v, t) => {
    sxy += (t - mt) * (v - my);
    sxx += (t - mt) ** 2;
    syy += (v - my) ** 2;
  });
  const rate = sxx === 0 ? 0 : sxy / sxx;
  return { rate, rSquared: syy === 0 ? 0 : (sxy * sxy) / (sxx * syy) };
}

/** `recent`: distinct sources of the last closed windows, oldest first. */
export function growthOf(recent: readonly number[], baselineLevel: number, opts: GrowthOptions): Growth {
  const run = recent.slice(-opts.growthWindows).map((x) => x - baselineLevel);
  if (run.length < opts.growthWindows || run.some((e) => e < opts.minExcess)) return NO_GROWTH;
  const logs = run.map(Math.log);
  const { rate, rSquared } = slope(logs);
  const half = Math.ceil(logs.length / 2);
  const early = slope(logs.slice(0, half)).rate;
  const late = slope(logs.slice(-half)).rate;
  const settled = late >= 0.5 * early;
  const growing = rate >= opts.minRate && rSquared >= 0.7 && settled;
  return { growing, rate: Math.max(0, rate), rSquared, doublingWindows: rate > 0 ? Math.LN2 / rate : null };
}
