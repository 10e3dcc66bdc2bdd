/** The test ping (POST /v1/subscriptions/:id/test): a synthetic alert, sent once. */
import { randomBytes } from 'node:crypto';
import type { Alert, Subscription } from '../../common/avro/generated-types.ts';
import type { Clock } from '../../common/clock.ts';
import { RetryPlan } from './retry-plan.ts';
import type { WebhookSender } from './sender.ts';

/** What a test ping reports to the API caller. */
export interface PingReport {
  readonly delivered: boolean;
  readonly status: number | null;
  readonly durationMs: number;
  readonly error: string | null;
  readonly webhookId: string;
}

/** Sends a test ping to one subscription, once (no retries, nothing handed off), and says what happened. */
export function pinger(sender: Pick<WebhookSender, 'send'>, now: Clock): (sub: Subscription) => Promise<PingReport> {
  return async (sub) => {
    const { webhook, outcome } = await sender.send(sub, pingAlert(sub, now(), randomBytes(9).toString('base64url')), { plan: RetryPlan.once() });
    return { delivered: outcome.delivered, status: outcome.status, durationMs: outcome.durationMs, error: outcome.reason, webhookId: webhook.id };
  };
}

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
