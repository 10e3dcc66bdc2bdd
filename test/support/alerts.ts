import type { Alert } from '../../services/common/avro/generated-types.ts';

/** A complete, valid surge alert for tests that need one; override what the test is about. */
export function sampleAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    alertId: 'al_0123456789abcdef01234567',
    kind: 'SURGE',
    state: 'FIRING',
    sequence: 0,
    protocol: 'TCP',
    port: 445,
    severity: 'HIGH',
    onsetWindowStart: 1_795_766_400_000,
    windowStart: 1_795_766_400_000,
    windowEnd: 1_795_766_460_000,
    eventTime: 1_795_766_460_000,
    figures: { attempts: 12_000, distinctSources: 900, distinctDestinations: 64, sensors: 3 },
    baseline: { distinctSources: 40, windows: 60, threshold: 120 },
    ratio: 22.5,
    shape: 'SPIKE',
    reasons: ['900 distinct sources vs a baseline of 40'],
    topScanners: [{ ip: '203.0.113.7', attempts: 800, destinations: 60 }],
    wormRisk: { level: 'LOW', score: 20, growthPerMinute: 0, doublingMinutes: null, dscSources: 0, sensorsReporting: 3, sensorsKnown: 4, advisoryStage4: false },
    advisory: null,
    ...overrides,
  };
}
