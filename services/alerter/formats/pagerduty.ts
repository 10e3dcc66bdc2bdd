import type { Alert } from '../../common/avro/generated-types.ts';
import type { Body } from './rendered.ts';
import { headline } from './event-type.ts';

/*
 * PagerDuty Events API v2 (POST /v2/enqueue): `routing_key`, `event_action`
 * (trigger | acknowledge | resolve), `dedup_key`, and for trigger a `payload`
 * with `summary` (<= 1024 chars), `source`, `severity` (critical | error |
 * warning | info). "Subsequent events for the same dedup_key will apply to the
 * same alert": FIRING and UPDATED trigger (UPDATED refreshes the incident),
 * RESOLVED resolves. dedup_key is the alert id, stable across all states.
 */
const SEVERITY: Readonly<Record<Alert['severity'], string>> = { CRITICAL: 'critical', HIGH: 'error', MEDIUM: 'warning', LOW: 'info', INFO: 'info' };

export function pagerDutyBody(alert: Alert, routingKey: string): Body {
  const event =
    alert.state === 'RESOLVED'
      ? { routing_key: routingKey, event_action: 'resolve', dedup_key: alert.alertId }
      : {
          routing_key: routingKey,
          event_action: 'trigger',
          dedup_key: alert.alertId,
          payload: {
            summary: `Portent: ${headline(alert)}`.slice(0, 1024),
            source: 'portent',
            severity: SEVERITY[alert.severity],
            timestamp: new Date(alert.eventTime).toISOString(),
            component: `${alert.protocol.toLowerCase()}/${alert.port}`,
            class: alert.kind,
            custom_details: { reasons: alert.reasons, wormRisk: alert.wormRisk, advisory: alert.advisory, topScanners: alert.topScanners },
          },
        };
  return { contentType: 'application/json', text: JSON.stringify(event) };
}
