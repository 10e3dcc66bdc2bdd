/**
 * The expected number of distinct sources per window on one port, and the
 * threshold above which a window is a surge.
 *
 * - Distinct sources, not attempts: one noisy host adds one, however hard it
 *   scans, so a single heavy hitter cannot make (or hide) a surge.
 * - Robust level and spread: the median and the MAD (median absolute
 *   deviation) of the last `baselineWindows` non-surge windows (60 = an hour).
 *   A median ignores any minority of odd windows, where an EWMA is dragged by
 *   every one of them; over an hour it still follows the daily rhythm (a ±50 %
 *   daily swing moves the level by < 5 % an hour).
 * - Warm-up: no threshold (no alert) before `warmupWindows` windows are learnt.
 * - Threshold = max(minSources, factor × median, median + madK × 1.4826 × MAD):
 *   the factor is the sensitivity on quiet, regular ports; the MAD term takes
 *   over on ports whose counts swing a lot; the floor keeps a quiet port going
 *   from 2 to 7 sources from alerting. 1.4826 × MAD estimates σ for normal data.
 * - Windows above the threshold are not learnt from (the caller skips them),
 *   so a long surge does not become the new normal.
 */
export interface BaselineOptions {
  readonly baselineWindows: number;
  readonly warmupWindows: number;
  /** A window is a surge above factor × baseline... */
  readonly factor: number;
  /** ...and above median + madK × 1.4826 × MAD... */
  readonly madK: number;
  /** ...and above this floor. */
  readonly minSources: number;
}

export class Baseline {
  /** Median of the learnt windows. */
  level = 0;
  /** Median absolute deviation of the learnt windows. */
  spread = 0;
  /** Windows learnt in total (the ring keeps the last `baselineWindows`). */
  windows = 0;
  readonly #ring: Float64Array;
  readonly #opts: BaselineOptions;

  constructor(opts: BaselineOptions) {
    this.#opts = opts;
    this.#ring = new Float64Array(opts.baselineWindows);
  }

  get warm(): boolean {
    return this.windows >= this.#opts.warmupWindows;
  }

  get threshold(): number {
    const o = this.#opts;
    return Math.max(o.minSources, o.factor * this.level, this.level + o.madK * 1.4826 * this.spread);
  }

  /** Plain data for a checkpoint (checkpoint.ts). */
  snapshot(): { ring: number[]; windows: number } {
    return { ring: [...this.#ring], windows: this.windows };
  }

  static restore(s: { ring: readonly number[]; windows: number }, opts: BaselineOptions): Baseline {
    const b = new Baseline(opts);
    b.#ring.set(s.ring.slice(0, b.#ring.length));
    b.windows = s.windows;
    b.#refresh();
    return b;
  }

  learn(distinctSources: number): void {
    this.#ring[this.windows % this.#ring.length] = distinctSources;
    this.windows += 1;
    this.#refresh();
  }

  #refresh(): void {
    const values = this.#ring.slice(0, Math.min(this.windows, this.#ring.length)).sort();
    this.level = median(values);
    this.spread = median(values.map((v) => Math.abs(v - this.level)).sort());
  }
}

function median(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = n >> 1;
  return n % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
