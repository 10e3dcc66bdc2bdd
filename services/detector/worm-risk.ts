import type { RiskLevel, WormRisk } from '../common/avro/generated-types.ts';
import type { AdvisoryContext } from './advisories.ts';
import type { Growth } from './growth.ts';

/**
 * How likely a surge is a spreading worm rather than reconnaissance: a score
 * from 0 to 100 as the sum of four parts, each with its reason.
 *
 * | part       | points                          | why |
 * |------------|---------------------------------|-----|
 * | growth     | 50 × min(1, 10 min / doubling)  | steady exponential growth is the worm's signature (Zou et al.); a doubling within 10 minutes scores in full |
 * | DSC        | min(20, 7 × DSC sources)        | hosts scanned on the port that now scan it (Gu et al.): 3 such hosts score in full |
 * | breadth    | 15 × share of sensors reporting | seen everywhere, not one network's local trouble (needs ≥ 2 sensors known) |
 * | advisory   | 15 if stage 4                   | a recent critical advisory for the port (Pescatore) |
 *
 * Levels: NONE < 15 ≤ LOW < 35 ≤ ELEVATED < 55 ≤ HIGH < 75 ≤ CRITICAL.
 * A botnet sweep seen everywhere on a port with a fresh advisory scores
 * 30 (LOW); a worm needs growth to reach HIGH, and growth plus context to
 * reach CRITICAL.
 */
export interface RiskInputs {
  readonly growth: Growth;
  readonly windowMinutes: number;
  readonly dscSources: number;
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

export function assessWormRisk(i: RiskInputs): RiskAssessment {
  const reasons: string[] = [];
  const perMinute = i.growth.rate / i.windowMinutes;
  const doubling = i.growth.doublingWindows === null ? null : i.growth.doublingWindows * i.windowMinutes;
  let score = 0;
  if (i.growth.growing && doubling !== null) {
    const points = 50 * Math.min(1, 10 / doubling);
    score += points;
    reasons.push(`growth: excess distinct sources grow exponentially at ${fmt(perMinute * 100)} %/min, doubling every ${fmt(doubling)} min (log-linear fit, R² ${fmt(i.growth.rSquared)}): +${Math.round(points)}`);
  }
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
  const total = Math.min(100, Math.round(score));
  const level = levelOf(total);
  reasons.unshift(`worm-risk ${level} (${total}/100)${reasons.length === 0 ? ': no growth, no destination→source correlation, no advisory' : ''}`);
  return {
    risk: {
      level,
      score: total,
      growthPerMinute: i.growth.growing ? perMinute : 0,
      doublingMinutes: i.growth.growing ? doubling : null,
      dscSources: i.dscSources,
      sensorsReporting: i.sensorsReporting,
      sensorsKnown: i.sensorsKnown,
      advisoryStage4: i.advisory.stage4,
    },
    reasons,
  };
}
