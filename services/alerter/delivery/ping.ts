/** The test ping (POST /v1/subscriptions/:id/test): a synthetic alert, sent once. */
import type { Alert, Subscription } from '../../common/avro/generated-types.ts';

/** The alert a test ping carries: recognisable, on the subscription's first port, never from the detector. */
export function pingAlert(sub: Subscription, nowMs: number, nonce: string): Alert {
  return {
    alertId: `test_${nonce}`,
    kind: 'SURGE',
    state: 'FIRING',
    sequence: 0,
    protocol: 'TCP',
    port: sub.ports[0] ?? sub.portRanges[0]?.from ?? 445,
    severity: 'INFO',
    onsetWindowStart: nowMs,
    windowStart: nowMs,
    windowEnd: nowMs,
    eventTime: nowMs,
    figures: { attempts: 0, distinctSources: 0, distinctDestinations: 0, sensors: 0 },
    baseline: { distinctSources: 0, windows: 0, threshold: 0 },
    ratio: 0,
    shape: 'UNKNOWN',
    reasons: ['Test ping from Portent: this subscription is reachable and its signatures verify.'],
    topScanners: [],
    wormRisk: { level: 'NONE', score: 0, growthPerMinute: 0, doublingMinutes: null, dscSources: 0, sensorsReporting: 0, sensorsKnown: 0, advisoryStage4: false },
    advisory: null,
  };
}
