import { createHash } from 'node:crypto';
import type { Alert, AlertState, Protocol, RiskLevel, Scanner, Severity, SurgeShape, WindowFigures } from '../common/avro/generated-types.ts';
import type { AdvisoryContext } from './advisories.ts';
import type { Baseline } from './baseline.ts';
import type { WindowExtras } from './window.ts';
import type { RiskAssessment } from './worm-risk.ts';

/** The surge lifecycle's settings (see the detector README for the reasoning). */
export interface SurgeOptions {
  /** Consecutive closed windows back under the threshold before the surge is RESOLVED. */
  readonly resolveAfterWindows: number;
  /** Closed windows between two UPDATED alerts, unless severity or worm-risk rises. */
  readonly updateMinWindows: number;
  readonly topSources: number;
}

/** What was last sent for a surge, to decide whether a change is material. */
export interface SentState {
  readonly severity: Severity;
  readonly level: RiskLevel;
  readonly shape: SurgeShape;
  readonly sources: number;
  readonly windowStart: number;
}

/** A surge that has FIRED and is not yet RESOLVED. */
export interface OpenSurge {
  readonly alertId: string;
  readonly onsetWindowStart: number;
  sequence: number;
  quietWindows: number;
  /** Distinct sources of the closed windows since onset, oldest first. */
  readonly sinceOnset: number[];
  last: SentState;
}

/**
 * Deterministic alert id: the same surge (kind, protocol, port, onset window)
 * always gets the same id, so a replay of the same input, or a detector that
 * restarts and re-reads, produces the same alerts rather than new ones.
 */
export function surgeAlertId(protocol: Protocol, port: number, onsetWindowStart: number): string {
  const digest = createHash('sha256').update(`SURGE|${protocol}|${port}|${onsetWindowStart}`).digest('hex');
  return `al_${digest.slice(0, 24)}`;
}

const ORDER: readonly Severity[] = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
const LEVELS: readonly RiskLevel[] = ['NONE', 'LOW', 'ELEVATED', 'HIGH', 'CRITICAL'];
const RISK_SEVERITY: Readonly<Record<RiskLevel, Severity>> = { NONE: 'LOW', LOW: 'LOW', ELEVATED: 'MEDIUM', HIGH: 'HIGH', CRITICAL: 'CRITICAL' };

/** Severity: the larger of the surge's size (ratio to baseline: ≥ 10× HIGH, ≥ 5× MEDIUM) and its worm-risk. */
export function severityOf(ratio: number, level: RiskLevel): Severity {
  const bySize: Severity = ratio >= 10 ? 'HIGH' : ratio >= 5 ? 'MEDIUM' : 'LOW';
  const byRisk = RISK_SEVERITY[level];
  return ORDER.indexOf(byRisk) > ORDER.indexOf(bySize) ? byRisk : bySize;
}

/**
 * UPDATED when something material changed: at once when severity or worm-risk
 * rises (that is news a subscriber acts on); otherwise at most every
 * `updateMinWindows` windows, and only if severity, risk level or shape
 * changed or the distinct sources moved by half or more.
 */
export function isMaterialChange(last: SentState, next: SentState, windowMs: number, opts: SurgeOptions): boolean {
  if (ORDER.indexOf(next.severity) > ORDER.indexOf(last.severity) || LEVELS.indexOf(next.level) > LEVELS.indexOf(last.level)) return true;
  if ((next.windowStart - last.windowStart) / windowMs < opts.updateMinWindows) return false;
  const moved = Math.abs(next.sources - last.sources) >= 0.5 * Math.max(1, last.sources);
  return moved || next.severity !== last.severity || next.level !== last.level || next.shape !== last.shape;
}

export interface SurgeEvidence {
  readonly protocol: Protocol;
  readonly port: number;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly eventTime: number;
  readonly figures: WindowFigures;
  readonly extras: WindowExtras;
  readonly topScanners: Scanner[];
}

export interface SurgeJudgement {
  readonly shape: SurgeShape;
  readonly assessment: RiskAssessment;
  readonly advisory: AdvisoryContext;
}

const iso = (t: number): string => new Date(t).toISOString().replace(/:00\.000Z$/, 'Z');
const fmt = (x: number): string => (Math.round(x * 10) / 10).toString();

/** Builds the alert record for one state of `surge`, with its reasons in plain words. */
export function surgeAlert(state: AlertState, surge: OpenSurge, ev: SurgeEvidence, baseline: Baseline, j: SurgeJudgement): Alert {
  const threshold = baseline.threshold;
  const ratio = ev.figures.distinctSources / Math.max(baseline.level, 1);
  const where = `${ev.protocol.toLowerCase()}/${ev.port}`;
  const x = ev.extras;
  const head =
    state === 'RESOLVED'
      ? [
          `${where} has been back under the threshold of ${fmt(threshold)} distinct sources for ${surge.quietWindows} consecutive windows ` +
            `(last window from ${iso(ev.windowStart)}: ${ev.figures.distinctSources} distinct sources, baseline ${fmt(baseline.level)})`,
        ]
      : [
          `${ev.figures.distinctSources} distinct sources on ${where} in the window from ${iso(ev.windowStart)}, ` +
            `${fmt(ratio)}× the baseline of ${fmt(baseline.level)} (median of ${Math.min(baseline.windows, 60)} windows, MAD ${fmt(baseline.spread)}; threshold ${fmt(threshold)})`,
          `${ev.figures.attempts} attempts to ${ev.figures.distinctDestinations} destinations, seen by ${ev.figures.sensors} sensor(s); ` +
            `${x.newSources} source(s) new on this port in the last day, ${x.scanners} scanner(s) with 20+ destinations`,
        ];
  const shape = `shape ${j.shape.toLowerCase()} over ${surge.sinceOnset.length} closed window(s) since onset ${iso(surge.onsetWindowStart)}` +
    (surge.sinceOnset.length > 0 ? ` (distinct sources: ${surge.sinceOnset.slice(-8).join(', ')})` : '');
  const advisory = j.advisory.ref === null ? [] : [`related advisory ${j.advisory.ref.id} "${j.advisory.ref.title}": ${j.advisory.ref.workaround}`];
  return {
    alertId: surge.alertId,
    kind: 'SURGE',
    state,
    sequence: surge.sequence,
    protocol: ev.protocol,
    port: ev.port,
    severity: severityOf(ratio, j.assessment.risk.level),
    onsetWindowStart: surge.onsetWindowStart,
    windowStart: ev.windowStart,
    windowEnd: ev.windowEnd,
    eventTime: ev.eventTime,
    figures: { ...ev.figures },
    baseline: { distinctSources: baseline.level, windows: baseline.windows, threshold },
    ratio,
    shape: j.shape,
    reasons: [...head, shape, ...j.assessment.reasons, ...advisory],
    topScanners: ev.topScanners,
    wormRisk: j.assessment.risk,
    advisory: j.advisory.ref,
  };
}
