import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Alert, Subscription } from '../../common/avro/generated-types.ts';
import { renderBody } from '../formats/body.ts';
import { eventType } from '../formats/event-type.ts';
import { ed25519Key } from '../secrets.ts';
import { signatureHeaders } from './signing.ts';

export { eventType } from '../formats/event-type.ts';

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
  readonly contentType: string;
  /** Secrets to sign with; more than one during a rotation's grace period. */
  readonly secrets: readonly string[];
  /** Present when the subscription asked for Ed25519 (`v1a`) signatures too. */
  readonly ed25519?: KeyObject;
}

export const USER_AGENT = 'Portent-Alerter/0.2';

/** The webhook for `alert`, in the subscription's body format, signed by every secret still valid at `nowMs`. */
export function buildWebhook(sub: Subscription, alert: Alert, nowMs: number): Webhook {
  const id = webhookId(alert);
  const body = renderBody(sub, alert, id);
  return {
    subscriptionId: sub.id,
    url: sub.url,
    id,
    type: eventType(alert),
    body: body.text,
    contentType: body.contentType,
    secrets: signingSecrets(sub, nowMs),
    ...(sub.signingKey === null ? {} : { ed25519: ed25519Key(sub.signingKey) }),
  };
}

/** The current secret first, then rotated-out ones whose grace period has not ended. */
export function signingSecrets(sub: Pick<Subscription, 'secret' | 'previousSecrets'>, nowMs: number): string[] {
  return [sub.secret, ...sub.previousSecrets.filter((p) => p.expiresAt > nowMs).map((p) => p.secret)];
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
    'content-type': webhook.contentType,
    'user-agent': USER_AGENT,
    ...signatureHeaders({ id: webhook.id, timestamp: Math.floor(nowMs / 1000), body: webhook.body }, webhook.secrets, webhook.ed25519),
  };
}
