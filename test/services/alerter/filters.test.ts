import { describe, expect, it } from 'vitest';
import { silenced, wants } from '../../../services/alerter/filters.ts';
import type { Silence } from '../../../services/common/avro/generated-types.ts';
import { sampleAlert, sampleSubscription } from './fixtures.ts';

describe('wants', () => {
  it('admits every alert when no filter is set', () => {
    expect(wants(sampleSubscription(), sampleAlert({ port: 3389, protocol: 'UDP', kind: 'WORM_RISK' }))).toBe(true);
  });

  it('matches listed ports or inclusive ranges', () => {
    const sub = sampleSubscription({ ports: [22], portRanges: [{ from: 135, to: 139 }] });
    expect([22, 135, 139, 140, 445].map((port) => wants(sub, sampleAlert({ port })))).toEqual([true, true, true, false, false]);
  });

  it('filters by protocol, kind and lifecycle state', () => {
    const sub = sampleSubscription({ protocols: ['TCP'], kinds: ['WORM_RISK'], states: ['FIRING', 'RESOLVED'] });
    expect(wants(sub, sampleAlert({ kind: 'WORM_RISK' }))).toBe(true);
    expect(wants(sub, sampleAlert({ kind: 'SURGE' }))).toBe(false);
    expect(wants(sub, sampleAlert({ kind: 'WORM_RISK', protocol: 'UDP' }))).toBe(false);
    expect(wants(sub, sampleAlert({ kind: 'WORM_RISK', state: 'UPDATED' }))).toBe(false);
  });

  it('applies the severity and risk floors to FIRING, and always lets the matching RESOLVED through', () => {
    const sub = sampleSubscription({ minSeverity: 'HIGH', minRisk: 'ELEVATED' });
    const risk = (level: 'LOW' | 'HIGH') => ({ ...sampleAlert().wormRisk, level });
    expect(wants(sub, sampleAlert({ severity: 'CRITICAL', wormRisk: risk('HIGH') }))).toBe(true);
    expect(wants(sub, sampleAlert({ severity: 'MEDIUM', wormRisk: risk('HIGH') }))).toBe(false);
    expect(wants(sub, sampleAlert({ severity: 'HIGH', wormRisk: risk('LOW') }))).toBe(false);
    expect(wants(sub, sampleAlert({ state: 'RESOLVED', severity: 'LOW', wormRisk: risk('LOW') }))).toBe(true);
  });
});

describe('silenced', () => {
  const silence: Silence = { id: 'sil_1', ports: [445], kinds: ['SURGE'], startsAt: 1_000, endsAt: 2_000, reason: 'patch window', createdAt: 0 };

  it('mutes a FIRING alert of the port and kind while the silence is active', () => {
    expect(silenced([silence], sampleAlert({ port: 445 }), 1_500)?.id).toBe('sil_1');
    expect(silenced([silence], sampleAlert({ port: 445 }), 2_000)).toBeUndefined();
    expect(silenced([silence], sampleAlert({ port: 22 }), 1_500)).toBeUndefined();
    expect(silenced([silence], sampleAlert({ kind: 'WORM_RISK' }), 1_500)).toBeUndefined();
  });

  it('never mutes a RESOLVED, so a FIRING sent before the silence is still closed', () => {
    expect(silenced([silence], sampleAlert({ state: 'RESOLVED' }), 1_500)).toBeUndefined();
  });
});
