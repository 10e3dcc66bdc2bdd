/**
 * The expected number of distinct sources per window on one port.
 *
 * - Distinct sources, not attempts: one noisy host adds one, however hard it
 *   scans, so a single heavy hitter cannot make (or hide) a surge.
 * - Warm-up: for the first `warmupWindows` closed windows the baseline is the
 *   plain mean and no alert can fire; a port needs a history first.
 * - After warm-up: an exponentially weighted moving average with weight
 *   `alpha` for the newest window. alpha = 0.1 gives the last ~10 windows most
 *   of the weight, so the baseline follows the daily rhythm within minutes
 *   while a one-window spike moves it by only a tenth.
 * - Windows that were above the surge threshold are not learnt from (the
 *   caller skips them), so a long surge does not become the new normal.
 */
export interface BaselineOptions {
  readonly alpha: number;
  readonly warmupWindows: number;
}

export class Baseline {
  mean = 0;
  windows = 0;
  readonly #opts: BaselineOptions;

  constructor(opts: BaselineOptions) {
    this.#opts = opts;
  }

  get warm(): boolean {
    return this.windows >= this.#opts.warmupWindows;
  }

  learn(distinctSources: number): void {
    this.windows += 1;
    const weight = this.windows <= this.#opts.warmupWindows ? 1 / this.windows : this.#opts.alpha;
    this.mean += weight * (distinctSources - this.mean);
  }
}
