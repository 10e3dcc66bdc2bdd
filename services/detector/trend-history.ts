/**
 * What the trend test (trend.ts) reads about one port: the distinct sources
 * and the new sources (not seen on the port in the trailing day) of its
 * closed windows, surging or not, at two resolutions:
 *
 * - fine: the last `FINE_POINTS` windows one by one (fast worms, short spans);
 * - coarse: sums of `BLOCK` consecutive windows, the last `COARSE_POINTS`
 *   blocks (5.6 h at 1-minute windows: slow worms, doubling in up to ~2 h).
 *
 * It also keeps the DSC sources (earlier destinations on the port, Gu et al.)
 * of the last `FINE_POINTS` windows: their share of the distinct sources before
 * the last `DSC_RECENT` windows is the port's own coincidence rate (worm-risk.ts).
 *
 * ~270 numbers a port, held in the checkpoint with the rest of its state.
 */
export const FINE_POINTS = 64;
export const BLOCK = 8;
export const COARSE_POINTS = 42;
/** Windows left out of the DSC reference: a worm's own recent DSC must not raise its coincidence rate. */
export const DSC_RECENT = 16;

/** Index of a series: 0 = distinct sources, 1 = new sources. */
export type SeriesIndex = 0 | 1;
export const SERIES_NAMES: Readonly<Record<SeriesIndex, string>> = { 0: 'distinct sources', 1: 'new sources' };

export interface TrendSnapshot {
  readonly fine: [number[], number[]];
  readonly coarse: [number[], number[]];
  /** Sums of the windows of the block being filled, and how many it has. */
  readonly partial: [number, number];
  readonly partialWindows: number;
  /** DSC sources of the fine windows (absent in checkpoints written before it was kept). */
  readonly dsc?: number[];
}

export class TrendHistory {
  readonly #fine: [number[], number[]] = [[], []];
  readonly #coarse: [number[], number[]] = [[], []];
  #partial: [number, number] = [0, 0];
  #partialWindows = 0;
  readonly #dsc: number[] = [];

  static restore(s: TrendSnapshot | undefined): TrendHistory {
    const h = new TrendHistory();
    if (s === undefined) return h;
    for (const i of [0, 1] as const) {
      h.#fine[i].push(...s.fine[i].slice(-FINE_POINTS));
      h.#coarse[i].push(...s.coarse[i].slice(-COARSE_POINTS));
    }
    h.#partial = [...s.partial];
    h.#partialWindows = s.partialWindows;
    // A checkpoint without DSC: no reference until the windows are seen again.
    if (s.dsc !== undefined) h.#dsc.push(...s.dsc.slice(-h.#fine[0].length));
    return h;
  }

  snapshot(): TrendSnapshot {
    return {
      fine: [[...this.#fine[0]], [...this.#fine[1]]],
      coarse: [[...this.#coarse[0]], [...this.#coarse[1]]],
      partial: [...this.#partial],
      partialWindows: this.#partialWindows,
      dsc: [...this.#dsc],
    };
  }

  /** One closed window's figures. */
  push(distinctSources: number, newSources: number, dscSources = 0): void {
    // Aligned with the last fine windows (a history restored without DSC starts it empty).
    append(this.#dsc, dscSources, FINE_POINTS);
    const values = [distinctSources, newSources] as const;
    for (const i of [0, 1] as const) {
      append(this.#fine[i], values[i], FINE_POINTS);
      this.#partial[i] += values[i];
    }
    this.#partialWindows += 1;
    if (this.#partialWindows === BLOCK) {
      for (const i of [0, 1] as const) append(this.#coarse[i], this.#partial[i], COARSE_POINTS);
      this.#partial = [0, 0];
      this.#partialWindows = 0;
    }
  }

  /** Oldest first: one value per window (fine) or per block of `BLOCK` windows (coarse). */
  series(i: SeriesIndex, coarse: boolean): readonly number[] {
    return coarse ? this.#coarse[i] : this.#fine[i];
  }

  /**
   * DSC sources per distinct source in the windows before the last `DSC_RECENT`:
   * how often a port's sources were its destinations by coincidence (sources and
   * destinations overlap on any port). Undefined before `DSC_RECENT` such windows.
   */
  dscShare(): number | undefined {
    const n = this.#dsc.length - DSC_RECENT;
    if (n < DSC_RECENT) return undefined;
    const fine = this.#fine[0].slice(-this.#dsc.length);
    let dsc = 0;
    let sources = 0;
    for (let t = 0; t < n; t++) {
      dsc += this.#dsc[t] ?? 0;
      sources += fine[t] ?? 0;
    }
    return dsc / Math.max(sources, 1);
  }

  /** The last closed windows' distinct sources, oldest first (shape, reasons). */
  recent(n: number): number[] {
    return this.#fine[0].slice(-n);
  }
}

function append(ring: number[], value: number, max: number): void {
  ring.push(value);
  if (ring.length > max) ring.shift();
}
