/**
 * The model fits the trend test (trend.ts) compares, over one span of points
 * (per-window counts or block sums) as excess over a reference level, each a
 * weighted least-squares fit with weights 1 / variance, returning its χ²:
 *
 * - exponential A·e^{r(t − last)}, r on a geometric grid, A ≥ 0 in closed form:
 *   the SI model's early phase (Zou et al. 2003; Staniford et al. 2002);
 * - hinge c·max(0, t − t0), c ≥ 0: a linear ramp that starts inside the span
 *   (a botnet recruiting at a steady pace);
 * - bounded quadratic a + b·t + c·t², |c| ≤ cMax: a line plus at most the
 *   curvature a daily rhythm can produce (a straight line is the case c = 0).
 */

export interface ExpFit {
  readonly chi2: number;
  /** Growth rate per point. */
  readonly rate: number;
  /** Fitted excess at the last point. */
  readonly level: number;
}

/** Rates per point tried by `fitExponential`: geometric from `minRate` to `maxRate`, ×1.12 a step. */
export function rateGrid(minRate: number, maxRate: number): number[] {
  const out: number[] = [];
  for (let r = minRate; r <= maxRate; r *= 1.12) out.push(r);
  return out;
}

export function chi2Zero(e: readonly number[], w: readonly number[]): number {
  let s = 0;
  for (let t = 0; t < e.length; t++) s += (w[t] ?? 0) * (e[t] ?? 0) ** 2;
  return s;
}

export function fitExponential(e: readonly number[], w: readonly number[], rates: readonly number[]): ExpFit {
  const n = e.length;
  const zero = chi2Zero(e, w);
  let best: ExpFit = { chi2: zero, rate: 0, level: 0 };
  for (const r of rates) {
    let sef = 0;
    let sff = 0;
    for (let t = 0; t < n; t++) {
      const f = Math.exp(r * (t - n + 1));
      const wt = w[t] ?? 0;
      sef += wt * (e[t] ?? 0) * f;
      sff += wt * f * f;
    }
    const a = sff > 0 ? Math.max(0, sef / sff) : 0;
    // Σ w (e − a f)² = Σ w e² − 2a Σ w e f + a² Σ w f²
    const chi2 = zero - 2 * a * sef + a * a * sff;
    if (chi2 < best.chi2 - 1e-9) best = { chi2, rate: r, level: a };
  }
  return best;
}

/**
 * Best line plus hinge a + b·t + c·max(0, t − t0) over t0 (at most 24 positions): a
 * linear ramp starting inside the span on top of a drifting background.
 */
export function fitHinge(e: readonly number[], w: readonly number[]): number {
  const n = e.length;
  let best = Number.POSITIVE_INFINITY;
  const step = Math.max(1, Math.floor(n / 24));
  for (let t0 = 0; t0 < n - 1; t0 += step) best = Math.min(best, fitBasis(e, w, (t) => Math.max(0, t - t0)));
  return best;
}

/** χ² of the weighted least-squares fit of a + b·t + c·g(t) (3 × 3 normal equations; a singular system falls back to the line). */
function fitBasis(e: readonly number[], w: readonly number[], g: (t: number) => number): number {
  const m = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  const v = [0, 0, 0];
  for (let t = 0; t < e.length; t++) {
    const x = [1, t, g(t)];
    const wt = w[t] ?? 0;
    for (let i = 0; i < 3; i++) {
      v[i] = (v[i] ?? 0) + wt * (x[i] ?? 0) * (e[t] ?? 0);
      for (let j = 0; j < 3; j++) m[i * 3 + j] = (m[i * 3 + j] ?? 0) + wt * (x[i] ?? 0) * (x[j] ?? 0);
    }
  }
  const k = solve3(m, v);
  if (k === undefined) return fitLine(e, w, 0);
  let chi2 = 0;
  for (let t = 0; t < e.length; t++) chi2 += (w[t] ?? 0) * ((e[t] ?? 0) - (k[0] ?? 0) - (k[1] ?? 0) * t - (k[2] ?? 0) * g(t)) ** 2;
  return chi2;
}

/** Cramer's rule for a 3 × 3 system (row-major), undefined when (nearly) singular. */
function solve3(m: readonly number[], v: readonly number[]): number[] | undefined {
  const at = (i: number): number => m[i] ?? 0;
  const det = (c0: readonly number[], c1: readonly number[], c2: readonly number[]): number =>
    (c0[0] ?? 0) * ((c1[1] ?? 0) * (c2[2] ?? 0) - (c2[1] ?? 0) * (c1[2] ?? 0)) -
    (c1[0] ?? 0) * ((c0[1] ?? 0) * (c2[2] ?? 0) - (c2[1] ?? 0) * (c0[2] ?? 0)) +
    (c2[0] ?? 0) * ((c0[1] ?? 0) * (c1[2] ?? 0) - (c1[1] ?? 0) * (c0[2] ?? 0));
  const cols = [[at(0), at(3), at(6)], [at(1), at(4), at(7)], [at(2), at(5), at(8)]] as const;
  const d = det(cols[0], cols[1], cols[2]);
  if (Math.abs(d) < 1e-9 * Math.max(1, Math.abs(at(0) * at(4) * at(8)))) return undefined;
  return [det(v, cols[1], cols[2]) / d, det(cols[0], v, cols[2]) / d, det(cols[0], cols[1], v) / d];
}

/** Weighted fit of a + b·t (+ c·t² with c fixed) : χ². */
function fitLine(e: readonly number[], w: readonly number[], c: number): number {
  let sw = 0, st = 0, stt = 0, sy = 0, sty = 0;
  for (let t = 0; t < e.length; t++) {
    const wt = w[t] ?? 0;
    const y = (e[t] ?? 0) - c * t * t;
    sw += wt; st += wt * t; stt += wt * t * t; sy += wt * y; sty += wt * t * y;
  }
  const det = sw * stt - st * st;
  const b = det > 0 ? (sw * sty - st * sy) / det : 0;
  const a = sw > 0 ? (sy - b * st) / sw : 0;
  let chi2 = 0;
  for (let t = 0; t < e.length; t++) chi2 += (w[t] ?? 0) * ((e[t] ?? 0) - a - b * t - c * t * t) ** 2;
  return chi2;
}

/** Best a + b·t + c·t² with |c| ≤ cMax: the free c by a grid of 9 values in [−cMax, cMax] refined around the best. */
export function fitBoundedQuadratic(e: readonly number[], w: readonly number[], cMax: number): number {
  let best = fitLine(e, w, 0);
  if (cMax <= 0) return best;
  for (let k = -4; k <= 4; k++) best = Math.min(best, fitLine(e, w, (k / 4) * cMax));
  return best;
}
