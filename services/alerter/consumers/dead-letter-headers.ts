import type { Alert, Subscription } from '../../common/avro/generated-types.ts';
import { deadLetter } from '../../common/dead-letter.ts';
import type { InRecord, OutRecord } from '../../common/kafka/transport.ts';
import type { DeliveryOutcome } from '../delivery/deliver.ts';
import { webhookId } from '../delivery/webhook.ts';

/** Headers added to a dead-lettered alert whose delivery failed, next to the common portent-dlq-* ones. */
export const DeliveryDeadLetterHeaders = {
  subscriptionId: 'portent-alerter-subscription-id',
  webhookId: 'portent-alerter-webhook-id',
  attempts: 'portent-alerter-attempts',
  status: 'portent-alerter-status',
} as const;

/**
 * The dead letter of a delivery that ran out of retries (or failed
 * unexpectedly): the alert record, the reason, and which subscription and
 * webhook-id it was, so an operator can replay it. `outcome` is absent when
 * no attempt finished.
 */
export function deliveryDeadLetter(record: InRecord, error: unknown, group: string, sub: Subscription, alert: Alert, outcome?: DeliveryOutcome): OutRecord {
  const letter = deadLetter(record, error, group);
  const attempts = outcome === undefined ? {} : { [DeliveryDeadLetterHeaders.attempts]: String(outcome.attempts), [DeliveryDeadLetterHeaders.status]: String(outcome.status ?? '') };
  return { ...letter, headers: { ...letter.headers, ...attempts, [DeliveryDeadLetterHeaders.subscriptionId]: sub.id, [DeliveryDeadLetterHeaders.webhookId]: webhookId(alert) } };
}
