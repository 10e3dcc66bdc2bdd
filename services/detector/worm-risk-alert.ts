import type { Alert, AlertState, RiskLevel, Severity, SurgeShape } from '../common/avro/generated-types.ts';
import type { AdvisoryContext } from './advisories.ts';
import type { Baseline } from './baseline.ts';
import type { RiskEpisode } from './risk-watch.ts';
import type { SurgeEvidence } from './surge.ts';
import type { RiskAssessment } from './worm-risk.ts';

/**
 * The record of one state of a WORM_RISK notification (risk-watch.ts): the
 * same Alert schema as a surge, kind WORM_RISK, with the window just closed as
 * its figures and the held worm-risk assessment as its reasons.
 */
const SEVERITY: Readonly<Record<RiskLevel, Severity>> = { NONE: 'INFO', LOW: 'LOW', ELEVATED: 'MEDIUM', HIGH: 'HIGH', CRITICAL: 'CRITICAL' };
const iso = (t: number): string => new Date(t).toISOString().replace(/:00\.000Z$/, 'Z');
const fmt = (x: number): string => (Math.round(x * 10) / 10).toString();

export interface WormRiskJudgement {
  readonly assessment: RiskAssessment;
  readonly shape: SurgeShape;
  readonly advisory: AdvisoryContext;
}

export function wormRiskAlert(state: AlertState, ep: RiskEpisode, ev: SurgeEvidence, baseline: Baseline, j: WormRiskJudgement): Alert {
  const where = `${ev.protocol.toLowerCase()}/${ev.port}`;
  const risk = j.assessment.risk;
  const ratio = ev.figures.distinctSources / Math.max(baseline.level, 1);
  const head = state === 'RESOLVED'
    ? `worm-risk on ${where} cleared: ${risk.level} since the window from ${iso(ev.windowStart)}, under ELEVATED (raised in the window from ${iso(ep.onsetWindowStart)})`
    : `worm-risk on ${where} ${state === 'FIRING' ? 'raised to' : 'now'} ${risk.level} (${risk.score}/100) in the window from ${iso(ev.windowStart)}`;
  const figures = `${ev.figures.distinctSources} distinct sources (baseline ${fmt(baseline.level)}), ${ev.extras.newSources} new on this port in the last day, ` +
    `${ev.figures.attempts} attempts to ${ev.figures.distinctDestinations} destinations, seen by ${ev.figures.sensors} sensor(s)`;
  const advisory = j.advisory.ref === null ? [] : [`related advisory ${j.advisory.ref.id} "${j.advisory.ref.title}": ${j.advisory.ref.workaround}`];
  return {
    alertId: ep.alertId,
    kind: 'WORM_RISK',
    state,
    sequence: ep.sequence,
    protocol: ev.protocol,
    port: ev.port,
    severity: SEVERITY[risk.level],
    onsetWindowStart: ep.onsetWindowStart,
    windowStart: ev.windowStart,
    windowEnd: ev.windowEnd,
    eventTime: ev.eventTime,
    figures: { ...ev.figures },
    baseline: { distinctSources: baseline.level, windows: baseline.windows, threshold: baseline.threshold },
    ratio,
    shape: j.shape,
    reasons: [head, figures, ...j.assessment.reasons, ...advisory],
    topScanners: ev.topScanners,
    wormRisk: risk,
    advisory: j.advisory.ref,
  };
}
