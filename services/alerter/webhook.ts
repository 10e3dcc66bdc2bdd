import { createHash } from 'node:crypto';
import type { Alert, Subscription } from '../common/avro/generated-types.ts';
import { signatureHeaders } from './signing.ts';

/** One webhook for one subscription, ready to be signed and sent any number of times. */
export interface Webhook {
  readonly subscriptionId: string;
  readonly url: string;
  /** webhook-id: the same on every attempt and on every replica. */
  readonly id: string;
  /** e.g. portent.alert.surge.firing */
  readonly type: string;
  /** The exact bytes that are signed and sent. */
  readonly body: string;
  /** Secrets to sign with; more than one during a rotation. */
  readonly secrets: readonly string[];
}

/** Standard Webhooks payload: `type`, `timestamp` (when the event occurred), `data`. */
export interface WebhookPayload {
  readonly type: string;
  readonly timestamp: string;
  readonly data: Alert;
}

export const USER_AGENT = 'Portent-Alerter/0.1';

export function buildWebhook(sub: Subscription, alert: Alert): Webhook {
  const type = eventType(alert);
  const payload: WebhookPayload = { type, timestamp: new Date(alert.eventTime).toISOString(), data: alert };
  return { subscriptionId: sub.id, url: sub.url, id: webhookId(alert), type, body: JSON.stringify(payload), secrets: [sub.secret] };
}

/** `portent.alert.<kind>.<state>`, lowercase: SURGE/FIRING -> portent.alert.surge.firing. */
export function eventType(alert: Pick<Alert, 'kind' | 'state'>): string {
  return `portent.alert.${alert.kind.toLowerCase()}.${alert.state.toLowerCase()}`;
}

const SAFE_ALERT_ID = /^[A-Za-z0-9_:-]{1,200}$/;

/**
 * `msg_<alertId>_<sequence>`. Both parts are deterministic (the detector
 * derives alertId from the alert's inputs; sequence counts its states), so a
 * retry, a redelivery after a crash and a second alerter replica all send the
 * same id and a receiver can drop repeats by it.
 *
 * The signing spec forbids '.' in the id and header values must be plain
 * ASCII, so an alertId outside [A-Za-z0-9_:-] (or longer than 200) is
 * replaced by a hash of itself, which is just as deterministic.
 */
export function webhookId(alert: Pick<Alert, 'alertId' | 'sequence'>): string {
  const part = SAFE_ALERT_ID.test(alert.alertId) ? alert.alertId : `h${createHash('sha256').update(alert.alertId).digest('base64url')}`;
  return `msg_${part}_${alert.sequence}`;
}

/** Headers for one attempt: signed afresh with the attempt's own timestamp, so receivers' replay windows hold. */
export function requestHeaders(webhook: Webhook, nowMs: number): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    ...signatureHeaders({ id: webhook.id, timestamp: Math.floor(nowMs / 1000), body: webhook.body }, webhook.secrets),
  };
}
