import { describe, expect, it } from 'vitest';
import type { RiskLevel } from '../../../services/common/avro/generated-types.ts';
import { RiskWatch, wormRiskAlertId } from '../../../services/detector/risk-watch.ts';
import type { RiskAssessment } from '../../../services/detector/worm-risk.ts';

const MIN = 60_000;
const SCORE: Readonly<Record<RiskLevel, number>> = { NONE: 0, LOW: 20, ELEVATED: 40, HIGH: 60, CRITICAL: 85 };
const assessment = (level: RiskLevel): RiskAssessment => ({
  risk: { level, score: SCORE[level], growthPerMinute: 0, doublingMinutes: null, dscSources: 0, sensorsReporting: 1, sensorsKnown: 1, advisoryStage4: false },
  reasons: [`worm-risk ${level}`],
});

/** Feeds one level per window; returns the notification states and held levels. */
function feed(levels: RiskLevel[], hold = 10): { states: string[]; held: string[]; ids: string[] } {
  const w = new RiskWatch({ riskHoldWindows: hold });
  const states: string[] = [];
  const held: string[] = [];
  const ids: string[] = [];
  levels.forEach((l, i) => {
    const step = w.observe(i * MIN, assessment(l), 'TCP', 445);
    if (step.state !== undefined && step.episode !== undefined) {
      states.push(`${step.state}:${step.episode.level}:${step.episode.sequence}`);
      ids.push(step.episode.alertId);
    }
    held.push(w.held()?.risk.level ?? 'NONE');
  });
  return { states, held, ids };
}

describe('RiskWatch', () => {
  it('does not flap: a level that drops out for a window or two is held', () => {
    const r = feed(['LOW', 'CRITICAL', 'ELEVATED', 'CRITICAL', 'ELEVATED', 'ELEVATED', 'CRITICAL']);
    expect(r.held.slice(1)).toEqual(Array(6).fill('CRITICAL'));
    expect(r.states).toEqual(['FIRING:CRITICAL:0']);
  });

  it('raises at once, lowers only after the hold, and clears under elevated', () => {
    const levels: RiskLevel[] = ['NONE', 'ELEVATED', 'HIGH', ...Array<RiskLevel>(12).fill('LOW'), ...Array<RiskLevel>(3).fill('NONE')];
    const r = feed(levels, 10);
    expect(r.states).toEqual(['FIRING:ELEVATED:0', 'UPDATED:HIGH:1', 'RESOLVED:LOW:2']);
    // HIGH in window 2 is held through window 11, then LOW: cleared in window 12.
    expect(r.held.indexOf('LOW')).toBe(12);
    expect(new Set(r.ids)).toEqual(new Set([wormRiskAlertId('TCP', 445, 1 * MIN)]));
  });

  it('gives each raise its own deterministic id', () => {
    const r = feed(['HIGH', 'NONE', 'NONE', 'NONE', 'HIGH'], 2);
    expect(r.states).toEqual(['FIRING:HIGH:0', 'RESOLVED:NONE:1', 'FIRING:HIGH:0']);
    expect(r.ids).toEqual([wormRiskAlertId('TCP', 445, 0), wormRiskAlertId('TCP', 445, 0), wormRiskAlertId('TCP', 445, 4 * MIN)]);
    expect(wormRiskAlertId('TCP', 445, 0)).not.toBe(wormRiskAlertId('UDP', 445, 0));
  });

  it('says when a level is held and what the last window alone scores', () => {
    const w = new RiskWatch({ riskHoldWindows: 5 });
    w.observe(0, assessment('HIGH'), 'TCP', 445);
    w.observe(MIN, assessment('LOW'), 'TCP', 445);
    expect(w.held()?.reasons[1]).toMatch(/held at HIGH .* lowered only after 5 windows under it; the last window alone scores LOW/);
  });

  it('continues from its snapshot as if uninterrupted', () => {
    const a = new RiskWatch({ riskHoldWindows: 3 });
    a.observe(0, assessment('HIGH'), 'TCP', 445);
    const b = new RiskWatch({ riskHoldWindows: 3 }, structuredClone(a.snapshot()));
    for (const w of [a, b]) w.observe(MIN, assessment('NONE'), 'TCP', 445);
    expect(b.observe(2 * MIN, assessment('NONE'), 'TCP', 445)).toEqual(a.observe(2 * MIN, assessment('NONE'), 'TCP', 445));
  });
});
