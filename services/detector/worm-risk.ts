import type { RiskLevel, WormRisk } from '../common/avro/generated-types.ts';
import type { AdvisoryContext } from './advisories.ts';
import type { Trend, TrendVerdict } from './trend.ts';

/**
 * How likely a port's traffic is a spreading worm rather than reconnaissance
 * or background: a score from 0 to 100 as the sum of four parts, each with
 * its reason, evaluated at every window close for every active port.
 *
 * | part       | points                          | why |
 * |------------|---------------------------------|-----|
 * | growth     | 55 confirmed, 25 provisional    | sustained exponential growth is the worm's signature (trend.ts) |
 * | DSC        | min(20, 7 × DSC sources)        | hosts scanned on the port that now scan it (Gu et al.): 3 such hosts score in full |
 * | breadth    | 15 × share of sensors reporting | seen everywhere, not one network's local trouble (needs ≥ 2 sensors known) |
 * | advisory   | 15 if stage 4                   | a recent critical advisory for the port (Pescatore) |
 *
 * Levels: NONE < 15 ≤ LOW < 35 ≤ ELEVATED < 55 ≤ HIGH < 75 ≤ CRITICAL.
 * Caps: without growth at most LOW (34): context says where to look, not that
 * anything spreads; with provisional growth (exponential for now, but not yet
 * longer than a recruitment ramp could be) at most ELEVATED (54). Confirmed
 * growth alone is HIGH; with context, CRITICAL.
 *
 * Spread shown by DSC (`dscSpread`): botnets' targets do not become scanners,
 * a worm's do, so DSC sources well beyond the port's own coincidence rate
 * tell a worm from a ramp whatever the curve's shape. Significant DSC
 * confirms provisional growth of ≥ `DSC_DOUBLINGS` doublings; strong DSC seen by
 * ≥ 2 sensors counts as confirmed even before any growth fit (Slammer spreads
 * inside one or two windows).
 */
export interface RiskInputs {
  readonly trend: Trend;
  readonly dscSources: number;
  /** DSC sources coincidence explains this window (the port's DSC share × its sources); undefined before the port has a reference. */
  readonly dscExpected: number | undefined;
  readonly sensorsReporting: number;
  readonly sensorsKnown: number;
  readonly advisory: AdvisoryContext;
}

export interface RiskAssessment {
  readonly risk: WormRisk;
  readonly reasons: string[];
}

const fmt = (x: number): string => (Math.round(x * 10) / 10).toString();

export function levelOf(score: number): RiskLevel {
  if (score >= 75) return 'CRITICAL';
  if (score >= 55) return 'HIGH';
  if (score >= 35) return 'ELEVATED';
  if (score >= 15) return 'LOW';
  return 'NONE';
}

/** Poisson z of the DSC excess over coincidence that counts as significant (~5σ, as the trend test's χ² 25). */
const DSC_Z = 5;
/** Fewest DSC sources beyond coincidence that count at all: a pair could be one host's two addresses. */
const DSC_MIN_EXCESS = 3;
/** Doublings of provisional growth that significant DSC confirms (a ramp and a worm look alike for ~4–5). */
const DSC_DOUBLINGS = 2;
/** DSC sources beyond coincidence that confirm spread without a growth fit: 4 generations of infection. */
const DSC_STRONG_EXCESS = 16;

export type DscSpread = 'NONE' | 'SIGNIFICANT' | 'STRONG';

/** DSC sources coincidence explains in a window of `distinctSources`, from the port's DSC share. */
export function dscExpected(share: number | undefined, distinctSources: number): number | undefined {
  return share === undefined ? undefined : share * distinctSources;
}

/** How far the DSC sources exceed what coincidence explains. */
export function dscSpread(dsc: number, expected: number | undefined): DscSpread {
  if (expected === undefined) return 'NONE';
  const excess = dsc - expected;
  if (excess < DSC_MIN_EXCESS || excess / Math.sqrt(Math.max(expected, 1)) < DSC_Z) return 'NONE';
  return excess >= DSC_STRONG_EXCESS ? 'STRONG' : 'SIGNIFICANT';
}

/** The growth verdict scored: the trend's, confirmed by DSC where DSC shows spread. */
function scoredVerdict(i: RiskInputs, spread: DscSpread): TrendVerdict {
  const t = i.trend;
  if (t.verdict === 'PROVISIONAL' && spread !== 'NONE' && t.visibleDoublings >= DSC_DOUBLINGS) return 'CONFIRMED';
  if (t.verdict === 'NONE' && spread === 'STRONG' && i.sensorsReporting >= 2) return 'CONFIRMED';
  return t.verdict;
}

const GROWTH_POINTS = { NONE: 0, PROVISIONAL: 25, CONFIRMED: 55 } as const;
const CAP = { NONE: 34, PROVISIONAL: 54, CONFIRMED: 100 } as const;

export function assessWormRisk(i: RiskInputs): RiskAssessment {
  const reasons: string[] = [];
  const t = i.trend;
  const growing = t.verdict !== 'NONE';
  const doubling = growing ? Math.LN2 / t.ratePerMinute : null;
  const spread = dscSpread(i.dscSources, i.dscExpected);
  const verdict = scoredVerdict(i, spread);
  let score = GROWTH_POINTS[verdict];
  if (growing && doubling !== null) reasons.push(growthReason(t, doubling));
  if (verdict !== t.verdict) reasons.push(dscReason(i, t.verdict));
  if (i.dscSources > 0) {
    const points = Math.min(20, 7 * i.dscSources);
    score += points;
    reasons.push(`destination→source correlation: ${i.dscSources} source(s) were earlier seen as destinations on this port: +${points}`);
  }
  if (i.sensorsKnown >= 2) {
    const share = Math.min(1, i.sensorsReporting / i.sensorsKnown);
    const points = 15 * share;
    score += points;
    reasons.push(`breadth: ${i.sensorsReporting} of ${i.sensorsKnown} sensors see it: +${Math.round(points)}`);
  }
  const a = i.advisory.ref;
  if (i.advisory.stage4 && a !== null) {
    score += 15;
    reasons.push(`advisory ${a.id} (${a.severity.toLowerCase()}, published ${new Date(a.published).toISOString().slice(0, 10)}) covers this port: scanning now is Pescatore's stage 4: +15`);
  }
  const total = Math.min(CAP[verdict], Math.round(score));
  const level = levelOf(total);
  const capped = total < Math.round(score) ? `, held at ${level.toLowerCase()} without ${growing ? 'confirmed ' : ''}growth` : '';
  reasons.unshift(`worm-risk ${level} (${total}/100${capped})${reasons.length === 0 ? ': no growth, no destination→source correlation, no advisory' : ''}`);
  return {
    risk: {
      level,
      score: total,
      growthPerMinute: growing ? t.ratePerMinute : 0,
      doublingMinutes: doubling,
      dscSources: i.dscSources,
      sensorsReporting: i.sensorsReporting,
      sensorsKnown: i.sensorsKnown,
      advisoryStage4: i.advisory.stage4,
    },
    reasons,
  };
}

function dscReason(i: RiskInputs, trendVerdict: TrendVerdict): string {
  const what = trendVerdict === 'NONE' ? `spread without a growth fit yet, seen by ${i.sensorsReporting} sensors` : 'confirms the growth';
  return `spread: ${i.dscSources} DSC sources where coincidence explains ${fmt(i.dscExpected ?? 0)} (a botnet's targets do not become scanners): ${what}: +${GROWTH_POINTS.CONFIRMED}`;
}

function growthReason(t: Trend, doubling: number): string {
  const what = t.verdict === 'CONFIRMED'
    ? `confirmed: held longer than a recruitment ramp could be: +${GROWTH_POINTS.CONFIRMED}`
    : `provisional: not yet told from a botnet's ramp: +${GROWTH_POINTS.PROVISIONAL}`;
  return `growth: ${t.series} grow exponentially at ${fmt(t.ratePerMinute * 100)} %/min, doubling every ${fmt(doubling)} min, ` +
    `now ${fmt(t.excess)} a minute above the reference of ${fmt(t.reference)} (${fmt(t.visibleDoublings)} doublings above the noise; ` +
    `over ${fmt(t.spanMinutes)} min it fits an exponential better than a ramp or a daily swing by χ² ${fmt(t.gain)}); ${what}`;
}
