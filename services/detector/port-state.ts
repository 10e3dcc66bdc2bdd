import type { Alert, ConnectionEvent, PortStats, Protocol, WindowFigures } from '../common/avro/generated-types.ts';
import { advisoryFor } from './advisories.ts';
import type { AdvisorySource } from './advisories.ts';
import { Baseline } from './baseline.ts';
import type { BaselineOptions } from './baseline.ts';
import { LEVELS, RiskWatch } from './risk-watch.ts';
import type { RiskWatchOptions, RiskWatchSnapshot } from './risk-watch.ts';
import { shapeOf } from './shape.ts';
import type { ShapeOptions } from './shape.ts';
import { hash32 } from './sketch/hash.ts';
import { isMaterialChange, severityOf, surgeAlert, surgeAlertId } from './surge.ts';
import type { OpenSurge, SentState, SurgeEvidence, SurgeJudgement, SurgeOptions } from './surge.ts';
import type { EventBatch } from './event-batch.ts';
import { EMPTY_EXTRAS, EMPTY_FIGURES, WindowAccumulator } from './window.ts';
import type { AddressHistory, WindowExtras, WindowOptions, WindowSnapshot } from './window.ts';
import { NO_TREND, trendOf } from './trend.ts';
import type { Trend } from './trend.ts';
import { TrendHistory } from './trend-history.ts';
import type { TrendSnapshot } from './trend-history.ts';
import { assessWormRisk, dscExpected } from './worm-risk.ts';
import type { RiskAssessment } from './worm-risk.ts';
import { wormRiskAlert } from './worm-risk-alert.ts';

export interface PortOptions extends SurgeOptions, BaselineOptions, RiskWatchOptions, ShapeOptions, WindowOptions {
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
  /** Distinct and new sources of the closed windows (trend-history.ts); absent in checkpoints written before it: starts empty. */
  readonly trend?: TrendSnapshot;
  /** Worm-risk of the last windows and the open WORM_RISK notification (risk-watch.ts). */
  readonly risk?: RiskWatchSnapshot;
  /** The trend at the last window close (trend.ts). */
  readonly trendNow?: Trend;
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
  /** Distinct and new sources of the closed windows (surging ones too): the trend test reads them. */
  #history = new TrendHistory();
  #watch: RiskWatch;
  /** The trend at the last window close. */
  #trend: Trend = NO_TREND;
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
    this.#watch = new RiskWatch(opts);
  }

  snapshot(): PortSnapshot {
    return {
      protocol: this.protocol,
      port: this.port,
      baseline: this.baseline.snapshot(),
      trend: this.#history.snapshot(),
      risk: this.#watch.snapshot(),
      trendNow: this.#trend,
      nextToClose: this.#nextToClose ?? null,
      surge: this.#surge === undefined ? null : structuredClone(this.#surge),
      windows: [...this.#open.values()].map((w) => w.snapshot()),
    };
  }

  static restore(s: PortSnapshot, opts: PortOptions, ctx: PortContext): PortState {
    const p = new PortState(s.protocol, s.port, opts, ctx);
    p.baseline = Baseline.restore(s.baseline, opts);
    p.#history = TrendHistory.restore(s.trend);
    p.#watch = new RiskWatch(opts, s.risk);
    p.#trend = s.trendNow ?? NO_TREND;
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

  /**
   * Closes, in order, every window that ends at or before `watermark`, empty ones included.
   * `decidedAt`: the newest event time seen (the event-time clock), stamped on every alert
   * as `eventTime`, as FIRING inside an open window is: one meaning in every state.
   */
  closeUpTo(watermark: number, out: PortOutput, decidedAt = watermark): void {
    const size = this.#opts.windowMs;
    // A port silent for days does not need one empty window per minute of silence:
    // after a day of them the baseline is all zeros anyway, so skip ahead.
    let budget = Math.ceil((24 * 60 * 60 * 1000) / size);
    while (this.#nextToClose !== undefined && this.#nextToClose + size <= watermark) {
      const start: number = this.#nextToClose;
      const acc = this.#open.get(start);
      this.#open.delete(start);
      if (this.#last === acc) this.#last = undefined;
      this.#closeWindow(start, acc, Math.max(decidedAt, watermark), out);
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

  #closeWindow(start: number, acc: WindowAccumulator | undefined, decidedAt: number, out: PortOutput): void {
    const figures = acc?.figures() ?? EMPTY_FIGURES;
    const surging = this.baseline.warm && figures.distinctSources > this.baseline.threshold;
    if (acc !== undefined) {
      const { protocol, port, baseline } = this;
      const extras = acc.extras();
      out.stats.push({ protocol, port, windowStart: start, windowEnd: start + this.#opts.windowMs, ...figures, baselineSources: baseline.level, surging, ...extras });
    }
    this.#riskStep(start, acc, figures, decidedAt, out);
    if (surging && this.#surge === undefined && acc !== undefined) {
      // Crossed and closed in the same step (e.g. one large batch): fire now rather than never.
      out.alerts.push(this.#fire(acc, decidedAt, [figures.distinctSources]));
    } else if (this.#surge !== undefined && start >= this.#surge.onsetWindowStart) {
      // Windows before the onset (still open when an open window fired, with a lateness of
      // several windows) are no part of the surge: they neither count as quiet nor resolve it.
      const surge = this.#surge;
      surge.sinceOnset.push(figures.distinctSources);
      surge.quietWindows = surging ? 0 : surge.quietWindows + 1;
      const ev = this.#evidence(acc, start, decidedAt);
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
    // A window of a port whose sources grow exponentially is not learnt either: a slow worm
    // must not drag the baseline along (it would trail it by ×2.5 and never surge).
    if (!surging && this.#trend.verdict === 'NONE') this.baseline.learn(figures.distinctSources);
  }

  /** Every closed window: the trend, the worm-risk and its WORM_RISK notification. */
  #riskStep(start: number, acc: WindowAccumulator | undefined, figures: WindowFigures, decidedAt: number, out: PortOutput): void {
    const extras = acc?.extras() ?? EMPTY_EXTRAS;
    this.#history.push(figures.distinctSources, extras.newSources, extras.dscSources);
    this.#trend = trendOf(this.#history, this.#opts.windowMs / 60_000);
    const step = this.#watch.observe(start, this.#assess(figures, extras, decidedAt), this.protocol, this.port);
    if (step.state === undefined || step.episode === undefined) return;
    const ev = this.#evidence(acc, start, decidedAt);
    const assessment = this.#watch.held() ?? this.#assess(figures, extras, decidedAt);
    const advisory = advisoryFor(this.#ctx.advisories, this.protocol, this.port, decidedAt, this.#opts.advisoryRecentDays);
    const shape = this.#trend.verdict !== 'NONE' ? 'GROWING' : (this.#surge?.last.shape ?? 'UNKNOWN');
    out.alerts.push(wormRiskAlert(step.state, step.episode, ev, this.baseline, { assessment, shape, advisory }));
  }

  #assess(figures: WindowFigures, extras: WindowExtras, eventTime: number): RiskAssessment {
    return assessWormRisk({
      trend: this.#trend,
      dscSources: extras.dscSources,
      dscExpected: dscExpected(this.#history.dscShare(), figures.distinctSources),
      sensorsReporting: figures.sensors,
      sensorsKnown: Math.max(this.#ctx.sensorsKnown(), figures.sensors),
      advisory: advisoryFor(this.#ctx.advisories, this.protocol, this.port, eventTime, this.#opts.advisoryRecentDays),
    });
  }

  #judge(ev: SurgeEvidence, sinceOnset: readonly number[]): SurgeJudgement {
    // The surge shows the port's held worm-risk (the one its WORM_RISK notifications show),
    // or this window's own when that is higher (FIRING inside an open window).
    const advisory = advisoryFor(this.#ctx.advisories, this.protocol, this.port, ev.eventTime, this.#opts.advisoryRecentDays);
    const own = this.#assess(ev.figures, ev.extras, ev.eventTime);
    const held = this.#watch.held();
    const assessment = held !== undefined && LEVELS.indexOf(held.risk.level) >= LEVELS.indexOf(own.risk.level) ? held : own;
    return { shape: shapeOf(sinceOnset, this.#trend.verdict !== 'NONE', this.#opts), assessment, advisory };
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
