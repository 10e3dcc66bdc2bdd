/**
 * Time order of an input. Captures and logs are not always written in time
 * order: a capture merged from two interfaces, Zeek's conn.log (a line is
 * written when its connection ends, stamped with when it began). An event
 * more than the detector's allowed lateness behind the latest one seen is
 * late for the detector's windows; the input report counts such steps back
 * and the largest one (TimeCheck).
 *
 * With a reorder window (PORTENT_SENSOR_REORDER_SECONDS), items are held in
 * a heap and come out in time order once the input has moved on by the
 * window, like Wireshark's `reordercap` but in bounded memory: at most
 * `max` items are held, beyond that the earliest goes out at once.
 */
import type { InputReport } from '../report.ts';

export interface OrderOptions {
  /** The detector's allowed lateness: steps back larger than this are reported. */
  readonly allowedLatenessMs: number;
  /** Items are held until the input is this far past them; 0 = no reordering. */
  readonly reorderMs: number;
  /** Most items held for reordering. */
  readonly reorderMax: number;
}

export const DEFAULT_ORDER: OrderOptions = Object.freeze({ allowedLatenessMs: 10_000, reorderMs: 0, reorderMax: 1_000_000 });

/** A min-heap of items by time; items of equal time keep their input order. */
export class TimeOrder<T> {
  readonly #windowMs: number;
  readonly #max: number;
  readonly #times: number[] = [];
  readonly #seqs: number[] = [];
  readonly #items: T[] = [];
  #seq = 0;
  #latest = -Infinity;

  constructor(windowMs: number, max: number) {
    this.#windowMs = windowMs;
    this.#max = max;
  }

  /** Adds an item; hands every item now due, earliest first, to `out`. */
  push(timeMs: number, item: T, out: (item: T) => void): void {
    this.#insert(timeMs, item);
    if (timeMs > this.#latest) this.#latest = timeMs;
    while (this.#items.length > 0 && ((this.#times[0] ?? 0) <= this.#latest - this.#windowMs || this.#items.length > this.#max)) out(this.#pop());
  }

  /** End of input: everything held, earliest first. */
  drain(out: (item: T) => void): void {
    while (this.#items.length > 0) out(this.#pop());
  }

  #before(a: number, b: number): boolean {
    const ta = this.#times[a] ?? 0;
    const tb = this.#times[b] ?? 0;
    return ta < tb || (ta === tb && (this.#seqs[a] ?? 0) < (this.#seqs[b] ?? 0));
  }

  #swap(a: number, b: number): void {
    for (const arr of [this.#times, this.#seqs] as number[][]) [arr[a], arr[b]] = [arr[b] ?? 0, arr[a] ?? 0];
    const items = this.#items;
    const x = items[a] as T;
    items[a] = items[b] as T;
    items[b] = x;
  }

  #insert(timeMs: number, item: T): void {
    this.#times.push(timeMs);
    this.#seqs.push(this.#seq++);
    this.#items.push(item);
    for (let i = this.#items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.#before(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  #pop(): T {
    const top = this.#items[0] as T;
    const last = this.#items.length - 1;
    this.#swap(0, last);
    this.#times.pop();
    this.#seqs.pop();
    this.#items.pop();
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < last && this.#before(l, m)) m = l;
      if (r < last && this.#before(r, m)) m = r;
      if (m === i) break;
      this.#swap(i, m);
      i = m;
    }
    return top;
  }
}

/** Counts the steps back in time larger than the allowed lateness, into the report. */
export class TimeCheck {
  readonly #allowedMs: number;
  readonly #report: InputReport;
  #latest = -Infinity;

  constructor(allowedLatenessMs: number, report: InputReport) {
    this.#allowedMs = allowedLatenessMs;
    this.#report = report;
    report.time.allowedLatenessMs = allowedLatenessMs;
  }

  see(timeMs: number): void {
    if (timeMs > this.#latest) {
      this.#latest = timeMs;
      return;
    }
    const step = this.#latest - timeMs;
    if (step <= this.#allowedMs) return;
    const t = this.#report.time;
    t.stepsBack++;
    if (step > t.largestStepBackMs) t.largestStepBackMs = step;
  }
}
