import { describe, expect, it } from 'vitest';
import type { Advisory } from '../../../services/common/avro/generated-types.ts';
import { advisoryFor } from '../../../services/detector/advisories.ts';
import { NO_TREND } from '../../../services/detector/trend.ts';
import type { Trend } from '../../../services/detector/trend.ts';
import { assessWormRisk, dscSpread } from '../../../services/detector/worm-risk.ts';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2005-06-21T12:00:00Z');
const ms05027: Advisory = {
  id: 'MS05-027', title: 'Vulnerability in Server Message Block could allow remote code execution',
  ports: [{ protocol: 'TCP', port: 139 }, { protocol: 'TCP', port: 445 }], severity: 'CRITICAL',
  published: Date.parse('2005-06-14T00:00:00Z'), workaround: 'Block TCP ports 139 and 445 at the firewall, inbound and outbound.', url: null,
};
const old: Advisory = { ...ms05027, id: 'MS03-026', severity: 'CRITICAL', published: NOW - 400 * DAY };
const noAdvisory = { ref: null, stage4: false };
const confirmed: Trend = { verdict: 'CONFIRMED', series: 'distinct sources', ratePerMinute: 0.28, spanMinutes: 16, reference: 30, excess: 400, visibleDoublings: 5.2, gain: 40 };
const provisional: Trend = { ...confirmed, verdict: 'PROVISIONAL', visibleDoublings: 2 };

describe('advisoryFor', () => {
  it('picks the recent critical advisory for the port and marks stage 4', () => {
    const ctx = advisoryFor(() => [old, ms05027], 'TCP', 445, NOW, 90);
    expect(ctx.stage4).toBe(true);
    expect(ctx.ref).toMatchObject({ id: 'MS05-027', workaround: expect.stringContaining('139 and 445') as unknown });
  });

  it('gives context but not stage 4 for an old advisory, and nothing for another port', () => {
    expect(advisoryFor(() => [old], 'TCP', 445, NOW, 90)).toMatchObject({ stage4: false, ref: { id: 'MS03-026' } });
    expect(advisoryFor(() => [ms05027], 'TCP', 3389, NOW, 90)).toEqual(noAdvisory);
    expect(advisoryFor(() => [ms05027], 'TCP', 445, ms05027.published - 1, 90)).toEqual(noAdvisory);
  });
});

describe('assessWormRisk', () => {
  it('keeps a broad reconnaissance sweep on an advised port at most elevated', () => {
    const r = assessWormRisk({ trend: NO_TREND, dscSources: 0, dscExpected: 0, sensorsReporting: 4, sensorsKnown: 4, advisory: advisoryFor(() => [ms05027], 'TCP', 445, NOW, 90) });
    expect(['NONE', 'LOW', 'ELEVATED']).toContain(r.risk.level);
    expect(r.risk.advisoryStage4).toBe(true);
  });

  it('rates steady growth seen everywhere high, and critical with DSC and an advisory, with reasons and figures', () => {
    const high = assessWormRisk({ trend: confirmed, dscSources: 0, dscExpected: 0, sensorsReporting: 4, sensorsKnown: 4, advisory: noAdvisory });
    expect(high.risk.level).toBe('HIGH');
    expect(high.risk.doublingMinutes).toBeCloseTo(2.5, 1);
    expect(high.reasons.join(' ')).toMatch(/doubling every 2.5 min/);
    const critical = assessWormRisk({ trend: confirmed, dscSources: 3, dscExpected: undefined, sensorsReporting: 4, sensorsKnown: 4, advisory: advisoryFor(() => [ms05027], 'TCP', 445, NOW, 90) });
    expect(critical.risk).toMatchObject({ level: 'CRITICAL', score: 100, dscSources: 3 });
    expect(critical.reasons.join(' ')).toMatch(/3 source\(s\) were earlier seen as destinations/);
  });

  it('holds context without growth at low and provisional growth at elevated, whatever else is seen', () => {
    // 5 DSC sources where coincidence explains 4: context, not spread.
    const context = { dscSources: 5, dscExpected: 4, sensorsReporting: 4, sensorsKnown: 4, advisory: advisoryFor(() => [ms05027], 'TCP', 445, NOW, 90) };
    const none = assessWormRisk({ trend: NO_TREND, ...context });
    expect(none.risk).toMatchObject({ level: 'LOW', score: 34 });
    expect(none.reasons[0]).toMatch(/held at low without growth/);
    const early = assessWormRisk({ trend: provisional, ...context });
    expect(early.risk).toMatchObject({ level: 'ELEVATED', score: 54 });
    expect(early.reasons.join(' ')).toMatch(/provisional: not yet told from a botnet's ramp/);
  });

  it('says so when nothing points to a worm', () => {
    const r = assessWormRisk({ trend: NO_TREND, dscSources: 0, dscExpected: 0, sensorsReporting: 1, sensorsKnown: 1, advisory: noAdvisory });
    expect(r.risk).toMatchObject({ level: 'NONE', score: 0 });
    expect(r.reasons[0]).toMatch(/no growth/);
  });

  it('confirms provisional growth of two doublings when DSC sources exceed the port coincidence rate', () => {
    const spread = { dscSources: 12, dscExpected: 1.5, sensorsReporting: 2, sensorsKnown: 8, advisory: noAdvisory };
    const r = assessWormRisk({ trend: provisional, ...spread });
    expect(['HIGH', 'CRITICAL']).toContain(r.risk.level);
    expect(r.reasons.join(' ')).toMatch(/12 DSC sources where coincidence explains 1.5.*confirms the growth/);
    // The same count on a port where sources are often earlier destinations is coincidence: still elevated at most.
    expect(assessWormRisk({ trend: provisional, ...spread, dscExpected: 10 }).risk.level).toBe('ELEVATED');
    // Less than two doublings of growth is not confirmed by DSC.
    expect(assessWormRisk({ trend: { ...provisional, visibleDoublings: 1.5 }, ...spread }).risk.level).toBe('ELEVATED');
  });

  it('rates strong DSC across sensors high before any growth fit, and not on one sensor or without a reference', () => {
    const surge = { trend: NO_TREND, dscSources: 40, dscExpected: 2, sensorsKnown: 4, advisory: noAdvisory };
    const r = assessWormRisk({ ...surge, sensorsReporting: 2 });
    expect(['HIGH', 'CRITICAL']).toContain(r.risk.level);
    expect(r.risk.doublingMinutes).toBeNull();
    expect(r.reasons.join(' ')).toMatch(/spread without a growth fit yet, seen by 2 sensors/);
    expect(assessWormRisk({ ...surge, sensorsReporting: 1 }).risk.level).toBe('LOW');
    expect(assessWormRisk({ ...surge, sensorsReporting: 2, dscExpected: undefined }).risk.level).toBe('LOW');
  });
});

describe('dscSpread', () => {
  it('grades DSC sources against a Poisson count of coincidences', () => {
    expect(dscSpread(2, 0)).toBe('NONE');
    expect(dscSpread(5, 0)).toBe('SIGNIFICANT');
    expect(dscSpread(30, 16)).toBe('NONE');
    expect(dscSpread(15, 2)).toBe('SIGNIFICANT');
    expect(dscSpread(20, 1)).toBe('STRONG');
    expect(dscSpread(20, undefined)).toBe('NONE');
  });
});
