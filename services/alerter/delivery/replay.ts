import { alertCodec } from '../../common/avro/codecs.ts';
import type { DeliveryAttempt } from '../../common/avro/generated-types.ts';
import type { Logger } from '../../common/logger.ts';
import type { SubscriptionStore } from '../subscriptions.ts';
import type { WebhookSender } from './sender.ts';

/**
 * Replay and recover (POST .../attempts/:webhookId/replay, .../recover):
 * delivers a logged attempt's alert again, under the same webhook-id, with
 * the subscription's current secret and the whole retry plan, in this
 * process. The API answers 202 at once, so the delivery is not awaited; its
 * attempts land in the attempt log like any other.
 */
export function replayer(sender: Pick<WebhookSender, 'send'>, subscriptions: Pick<SubscriptionStore, 'get'>, logger: Logger): (attempt: DeliveryAttempt) => void {
  return (attempt) => {
    const sub = subscriptions.get(attempt.subscriptionId);
    void sender.send(sub, alertCodec.decode(attempt.alert)).catch((err: unknown) => {
      logger.warn({ err, subscriptionId: sub.id }, 'replay failed');
    });
  };
}
