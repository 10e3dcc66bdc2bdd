import type { Alert, ConnectionEvent, PortStats, Protocol } from '../common/avro/generated-types.ts';
import { Baseline } from './baseline.ts';
import type { BaselineOptions } from './baseline.ts';
import { surgeAlert, surgeAlertId, surgeThreshold } from './surge.ts';
import type { OpenSurge, SurgeOptions } from './surge.ts';
import { EMPTY_FIGURES, WindowAccumulator } from './window.ts';

export interface PortOptions extends SurgeOptions, BaselineOptions {
  readonly windowMs: number;
}

/** What closing windows or checking a window produced. */
export interface PortOutput {
  readonly alerts: Alert[];
  readonly stats: PortStats[];
}

/**
 * Everything the detector knows about one (protocol, port): its open windows,
 * its baseline and its open surge, if any. Pure: no I/O, no clock.
 */
export class PortState {
  readonly protocol: Protocol;
  readonly port: number;
  readonly baseline: Baseline;
  readonly #opts: PortOptions;
  readonly #open = new Map<number, WindowAccumulator>();
  /** Start of the oldest window not yet closed. */
  #nextToClose: number | undefined;
  #surge: OpenSurge | undefined;

  constructor(protocol: Protocol, port: number, opts: PortOptions) {
    this.protocol = protocol;
    this.port = port;
    this.#opts = opts;
    this.baseline = new Baseline(opts);
  }

  get surge(): Readonly<OpenSurge> | undefined {
    return this.#surge;
  }

  add(event: ConnectionEvent, sensorId: string, windowStart: number): void {
    let acc = this.#open.get(windowStart);
    if (acc === undefined) {
      acc = new WindowAccumulator(windowStart, this.#opts.windowMs);
      this.#open.set(windowStart, acc);
    }
    acc.add(event, sensorId);
    if (this.#nextToClose === undefined || windowStart < this.#nextToClose) this.#nextToClose = windowStart;
  }

  /**
   * FIRING as soon as an open window crosses the threshold: distinct-source
   * counts only grow within a window, so there is no need to wait for it to close.
   */
  checkOpenWindows(eventTime: number): Alert | undefined {
    if (this.#surge !== undefined || !this.baseline.warm) return undefined;
    const threshold = surgeThreshold(this.baseline, this.#opts);
    for (const acc of [...this.#open.values()].sort((a, b) => a.start - b.start)) {
      if (acc.distinctSources > threshold) return this.#fire(acc, eventTime);
    }
    return undefined;
  }

  #fire(acc: WindowAccumulator, eventTime: number): Alert {
    const surge: OpenSurge = { alertId: surgeAlertId(this.protocol, this.port, acc.start), onsetWindowStart: acc.start, sequence: 0, quietWindows: 0 };
    this.#surge = surge;
    return surgeAlert('FIRING', surge, this.#evidence(acc, eventTime), this.baseline, this.#opts);
  }

  /** Closes, in order, every window that ends at or before `watermark`, empty ones included. */
  closeUpTo(watermark: number, out: PortOutput): void {
    const size = this.#opts.windowMs;
    // A port silent for days does not need one empty window per minute of silence:
    // after a day of them the baseline has decayed anyway, so skip ahead.
    let budget = Math.ceil((24 * 60 * 60 * 1000) / size);
    while (this.#nextToClose !== undefined && this.#nextToClose + size <= watermark) {
      const start: number = this.#nextToClose;
      const acc = this.#open.get(start);
      this.#open.delete(start);
      this.#closeWindow(start, acc, watermark, out);
      this.#nextToClose = start + size;
      if (--budget <= 0 && this.#open.size === 0) {
        this.#nextToClose = Math.floor(watermark / size) * size;
        budget = Number.POSITIVE_INFINITY;
      }
    }
  }

  #closeWindow(start: number, acc: WindowAccumulator | undefined, watermark: number, out: PortOutput): void {
    const figures = acc?.figures() ?? EMPTY_FIGURES;
    const threshold = surgeThreshold(this.baseline, this.#opts);
    const surging = this.baseline.warm && figures.distinctSources > threshold;
    if (acc !== undefined) {
      out.stats.push({
        protocol: this.protocol,
        port: this.port,
        windowStart: start,
        windowEnd: start + this.#opts.windowMs,
        ...figures,
        baselineSources: this.baseline.mean,
        surging,
      });
    }
    if (surging && this.#surge === undefined && acc !== undefined) {
      // Crossed and closed in the same step (e.g. one large batch): fire now rather than never.
      out.alerts.push(this.#fire(acc, watermark));
    } else if (this.#surge !== undefined) {
      this.#surge.quietWindows = surging ? 0 : this.#surge.quietWindows + 1;
      if (this.#surge.quietWindows >= this.#opts.resolveAfterWindows) {
        this.#surge.sequence += 1;
        const ev = acc === undefined ? this.#emptyEvidence(start, watermark) : this.#evidence(acc, watermark);
        out.alerts.push(surgeAlert('RESOLVED', this.#surge, ev, this.baseline, this.#opts));
        this.#surge = undefined;
      }
    }
    if (!surging) this.baseline.learn(figures.distinctSources);
  }

  #evidence(acc: WindowAccumulator, eventTime: number) {
    return {
      protocol: this.protocol,
      port: this.port,
      windowStart: acc.start,
      windowEnd: acc.end,
      eventTime,
      figures: acc.figures(),
      topScanners: acc.topScanners(this.#opts.topSources),
    };
  }

  #emptyEvidence(start: number, eventTime: number) {
    const end = start + this.#opts.windowMs;
    return { protocol: this.protocol, port: this.port, windowStart: start, windowEnd: end, eventTime, figures: { ...EMPTY_FIGURES }, topScanners: [] };
  }
}
