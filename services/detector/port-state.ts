import type { Alert, ConnectionEvent, PortStats, Protocol } from '../common/avro/generated-types.ts';
import { advisoryFor } from './advisories.ts';
import type { AdvisorySource } from './advisories.ts';
import { Baseline } from './baseline.ts';
import type { BaselineOptions } from './baseline.ts';
import { growthOf } from './growth.ts';
import type { GrowthOptions } from './growth.ts';
import { shapeOf } from './shape.ts';
import type { ShapeOptions } from './shape.ts';
import { hash32 } from './sketch/hash.ts';
import { isMaterialChange, severityOf, surgeAlert, surgeAlertId } from './surge.ts';
import type { OpenSurge, SentState, SurgeEvidence, SurgeJudgement, SurgeOptions } from './surge.ts';
import type { EventBatch } from './event-batch.ts';
import { EMPTY_EXTRAS, EMPTY_FIGURES, WindowAccumulator } from './window.ts';
import type { AddressHistory, WindowOptions, WindowSnapshot } from './window.ts';
import { assessWormRisk } from './worm-risk.ts';

export interface PortOptions extends SurgeOptions, BaselineOptions, GrowthOptions, ShapeOptions, WindowOptions {
  readonly windowMs: number;
  readonly advisoryRecentDays: number;
}

/** What a port needs from the detector around it. */
export interface PortContext {
  readonly history: AddressHistory;
  sensorsKnown(): number;
  readonly advisories: AdvisorySource;
}

/** A port's whole state as plain data, for the checkpoint (checkpoint.ts). */
export interface PortSnapshot {
  readonly protocol: Protocol;
  readonly port: number;
  readonly baseline: { ring: number[]; windows: number };
  readonly recent: number[];
  readonly nextToClose: number | null;
  readonly surge: OpenSurge | null;
  readonly windows: WindowSnapshot[];
}

/** What closing windows or checking a window produced. */
export interface PortOutput {
  readonly alerts: Alert[];
  readonly stats: PortStats[];
}

/**
 * Everything the detector knows about one (protocol, port): its open windows,
 * its baseline, its recent windows and its open surge, if any. Pure: no I/O, no clock.
 */
export class PortState {
  readonly protocol: Protocol;
  readonly port: number;
  baseline: Baseline;
  readonly #opts: PortOptions;
  readonly #ctx: PortContext;
  readonly #portHash: number;
  readonly #open = new Map<number, WindowAccumulator>();
  /** Distinct sources of the last closed windows (surging ones too), oldest first: growth reads them. */
  readonly #recent: number[] = [];
  /** Start of the oldest window not yet closed. */
  #nextToClose: number | undefined;
  #surge: OpenSurge | undefined;
  /** The window the last event went to: consecutive events nearly always share it. */
  #last: WindowAccumulator | undefined;

  constructor(protocol: Protocol, port: number, opts: PortOptions, ctx: PortContext) {
    this.protocol = protocol;
    this.port = port;
    this.#opts = opts;
    this.#ctx = ctx;
    this.#portHash = hash32(`${protocol}/${port}`);
    this.baseline = new Baseline(opts);
  }

  snapshot(): PortSnapshot {
    return {
      protocol: this.protocol,
      port: this.port,
      baseline: this.baseline.snapshot(),
      recent: [...this.#recent],
      nextToClose: this.#nextToClose ?? null,
      surge: this.#surge === undefined ? null : structuredClone(this.#surge),
      windows: [...this.#open.values()].map((w) => w.snapshot()),
    };
  }

  static restore(s: PortSnapshot, opts: PortOptions, ctx: PortContext): PortState {
    const p = new PortState(s.protocol, s.port, opts, ctx);
    p.baseline = Baseline.restore(s.baseline, opts);
    p.#recent.push(...s.recent);
    p.#nextToClose = s.nextToClose ?? undefined;
    p.#surge = s.surge ?? undefined;
    for (const w of s.windows) p.#open.set(w.start, WindowAccumulator.restore(w, opts.windowMs, p.#portHash, opts));
    return p;
  }

  get surge(): Readonly<OpenSurge> | undefined {
    return this.#surge;
  }

  add(event: ConnectionEvent, sensorId: string, windowStart: number): void {
    this.#window(windowStart).add(event, sensorId, this.#ctx.history);
  }

  /** Events [from, to) of `batch`, all in the window starting at `windowStart` (see WindowAccumulator.addRun). */
  addRun(windowStart: number, batch: EventBatch, from: number, to: number): void {
    this.#window(windowStart).addRun(batch, from, to, batch, from, batch.sensorId, this.#ctx.history);
  }

  #window(windowStart: number): WindowAccumulator {
    let acc = this.#last;
    if (acc?.start !== windowStart) {
      acc = this.#open.get(windowStart);
      if (acc === undefined) {
        acc = new WindowAccumulator(windowStart, this.#opts.windowMs, this.#portHash, this.#opts);
        this.#open.set(windowStart, acc);
      }
      this.#last = acc;
      if (this.#nextToClose === undefined || windowStart < this.#nextToClose) this.#nextToClose = windowStart;
    }
    return acc;
  }

  /**
   * FIRING as soon as an open window crosses the threshold: distinct-source
   * counts only grow within a window, so there is no need to wait for it to close.
   */
  checkOpenWindows(eventTime: number): Alert | undefined {
    if (this.#surge !== undefined || !this.baseline.warm) return undefined;
    const threshold = this.baseline.threshold;
    for (const acc of [...this.#open.values()].sort((a, b) => a.start - b.start)) {
      if (acc.distinctSources > threshold) return this.#fire(acc, eventTime);
    }
    return undefined;
  }

  /** Closes, in order, every window that ends at or before `watermark`, empty ones included. */
  closeUpTo(watermark: number, out: PortOutput): void {
    const size = this.#opts.windowMs;
    // A port silent for days does not need one empty window per minute of silence:
    // after a day of them the baseline is all zeros anyway, so skip ahead.
    let budget = Math.ceil((24 * 60 * 60 * 1000) / size);
    while (this.#nextToClose !== undefined && this.#nextToClose + size <= watermark) {
      const start: number = this.#nextToClose;
      const acc = this.#open.get(start);
      this.#open.delete(start);
      if (this.#last === acc) this.#last = undefined;
      this.#closeWindow(start, acc, watermark, out);
      this.#nextToClose = start + size;
      if (--budget <= 0 && this.#open.size === 0) {
        this.#nextToClose = Math.floor(watermark / size) * size;
        budget = Number.POSITIVE_INFINITY;
      }
    }
  }

  #fire(acc: WindowAccumulator, eventTime: number, sinceOnset: number[] = []): Alert {
    const ev = this.#evidence(acc, acc.start, eventTime);
    const j = this.#judge(ev, []);
    const surge: OpenSurge = {
      alertId: surgeAlertId(this.protocol, this.port, acc.start),
      onsetWindowStart: acc.start,
      sequence: 0,
      quietWindows: 0,
      sinceOnset,
      last: this.#sent(ev, j),
    };
    this.#surge = surge;
    return surgeAlert('FIRING', surge, ev, this.baseline, j);
  }

  #closeWindow(start: number, acc: WindowAccumulator | undefined, watermark: number, out: PortOutput): void {
    const figures = acc?.figures() ?? EMPTY_FIGURES;
    const surging = this.baseline.warm && figures.distinctSources > this.baseline.threshold;
    if (acc !== undefined) {
      const { protocol, port, baseline } = this;
      const extras = acc.extras();
      out.stats.push({ protocol, port, windowStart: start, windowEnd: start + this.#opts.windowMs, ...figures, baselineSources: baseline.level, surging, ...extras });
    }
    this.#recent.push(figures.distinctSources);
    if (this.#recent.length > this.#opts.growthWindows) this.#recent.shift();
    if (surging && this.#surge === undefined && acc !== undefined) {
      // Crossed and closed in the same step (e.g. one large batch): fire now rather than never.
      out.alerts.push(this.#fire(acc, watermark, [figures.distinctSources]));
    } else if (this.#surge !== undefined) {
      const surge = this.#surge;
      surge.sinceOnset.push(figures.distinctSources);
      surge.quietWindows = surging ? 0 : surge.quietWindows + 1;
      const ev = this.#evidence(acc, start, watermark);
      const j = this.#judge(ev, surge.sinceOnset);
      const next = this.#sent(ev, j);
      if (surge.quietWindows >= this.#opts.resolveAfterWindows) {
        surge.sequence += 1;
        out.alerts.push(surgeAlert('RESOLVED', surge, ev, this.baseline, j));
        this.#surge = undefined;
      } else if (isMaterialChange(surge.last, next, this.#opts.windowMs, this.#opts)) {
        surge.sequence += 1;
        surge.last = next;
        out.alerts.push(surgeAlert('UPDATED', surge, ev, this.baseline, j));
      }
    }
    if (!surging) this.baseline.learn(figures.distinctSources);
  }

  #judge(ev: SurgeEvidence, sinceOnset: readonly number[]): SurgeJudgement {
    const growth = growthOf(this.#recent, this.baseline.level, this.#opts);
    const advisory = advisoryFor(this.#ctx.advisories, this.protocol, this.port, ev.eventTime, this.#opts.advisoryRecentDays);
    const assessment = assessWormRisk({
      growth,
      windowMinutes: this.#opts.windowMs / 60_000,
      dscSources: ev.extras.dscSources,
      sensorsReporting: ev.figures.sensors,
      sensorsKnown: Math.max(this.#ctx.sensorsKnown(), ev.figures.sensors),
      advisory,
    });
    return { shape: shapeOf(sinceOnset, growth.growing, this.#opts), assessment, advisory };
  }

  #sent(ev: SurgeEvidence, j: SurgeJudgement): SentState {
    const ratio = ev.figures.distinctSources / Math.max(this.baseline.level, 1);
    const { level } = j.assessment.risk;
    return { severity: severityOf(ratio, level), level, shape: j.shape, sources: ev.figures.distinctSources, windowStart: ev.windowStart };
  }

  #evidence(acc: WindowAccumulator | undefined, start: number, eventTime: number): SurgeEvidence {
    const { protocol, port } = this;
    const windowEnd = start + this.#opts.windowMs;
    if (acc === undefined) return { protocol, port, windowStart: start, windowEnd, eventTime, figures: { ...EMPTY_FIGURES }, extras: EMPTY_EXTRAS, topScanners: [] };
    return { protocol, port, windowStart: start, windowEnd, eventTime, figures: acc.figures(), extras: acc.extras(), topScanners: acc.topScanners(this.#opts.topSources) };
  }
}
