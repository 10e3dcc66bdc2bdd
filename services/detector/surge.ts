import { createHash } from 'node:crypto';
import type { Alert, AlertState, Protocol, Scanner, Severity, WindowFigures } from '../common/avro/generated-types.ts';
import type { Baseline } from './baseline.ts';

/** How sensitive surge detection is (see the detector README for the reasoning). */
export interface SurgeOptions {
  /** A window is a surge when its distinct sources exceed factor × baseline... */
  readonly factor: number;
  /** ...and also exceed this floor, so a quiet port going from 2 to 7 sources is not a surge. */
  readonly minSources: number;
  /** Consecutive closed windows back under the threshold before the surge is RESOLVED. */
  readonly resolveAfterWindows: number;
  readonly topSources: number;
}

/** A surge that has FIRED and is not yet RESOLVED. */
export interface OpenSurge {
  readonly alertId: string;
  readonly onsetWindowStart: number;
  sequence: number;
  quietWindows: number;
}

export function surgeThreshold(baseline: Baseline, opts: SurgeOptions): number {
  return Math.max(opts.minSources, opts.factor * baseline.mean);
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

function severityOf(ratio: number): Severity {
  if (ratio >= 10) return 'HIGH';
  if (ratio >= 5) return 'MEDIUM';
  return 'LOW';
}

export interface SurgeEvidence {
  readonly protocol: Protocol;
  readonly port: number;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly eventTime: number;
  readonly figures: WindowFigures;
  readonly topScanners: Scanner[];
}

const iso = (t: number): string => new Date(t).toISOString().replace(/:00\.000Z$/, 'Z');
const fmt = (x: number): string => (Math.round(x * 10) / 10).toString();

/** Builds the alert record for one state of `surge`, with its reasons in plain words. */
export function surgeAlert(state: AlertState, surge: OpenSurge, ev: SurgeEvidence, baseline: Baseline, opts: SurgeOptions): Alert {
  const threshold = surgeThreshold(baseline, opts);
  const ratio = ev.figures.distinctSources / Math.max(baseline.mean, 1);
  const where = `${ev.protocol.toLowerCase()}/${ev.port}`;
  const reasons =
    state === 'RESOLVED'
      ? [
          `${where} has been back under the threshold of ${fmt(threshold)} distinct sources for ${surge.quietWindows} consecutive windows ` +
            `(last window from ${iso(ev.windowStart)}: ${ev.figures.distinctSources} distinct sources, baseline ${fmt(baseline.mean)})`,
        ]
      : [
          `${ev.figures.distinctSources} distinct sources on ${where} in the window from ${iso(ev.windowStart)}, ` +
            `${fmt(ratio)}× the baseline of ${fmt(baseline.mean)} (threshold ${fmt(threshold)}, learnt from ${baseline.windows} windows)`,
          `${ev.figures.attempts} attempts to ${ev.figures.distinctDestinations} destinations, seen by ${ev.figures.sensors} sensor(s)`,
        ];
  return {
    alertId: surge.alertId,
    kind: 'SURGE',
    state,
    sequence: surge.sequence,
    protocol: ev.protocol,
    port: ev.port,
    severity: severityOf(ratio),
    onsetWindowStart: surge.onsetWindowStart,
    windowStart: ev.windowStart,
    windowEnd: ev.windowEnd,
    eventTime: ev.eventTime,
    figures: { ...ev.figures },
    baseline: { distinctSources: baseline.mean, windows: baseline.windows, threshold },
    ratio,
    shape: 'UNKNOWN',
    reasons,
    topScanners: ev.topScanners,
    wormRisk: { level: 'NONE', score: 0, growthPerMinute: 0, doublingMinutes: null, dscSources: 0, sensorsReporting: ev.figures.sensors, sensorsKnown: ev.figures.sensors, advisoryStage4: false },
    advisory: null,
  };
}
