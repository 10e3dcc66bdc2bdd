import { ConsumerLag } from '../../common/telemetry/consumer-lag.ts';
import { continueTrace } from '../../common/telemetry/propagation.ts';
import { deliveryFinished } from '../telemetry.ts';
import { alertCodec, deliveryTaskCodec } from '../../common/avro/codecs.ts';
import type { Alert, DeliveryTask } from '../../common/avro/generated-types.ts';
import { deadLetter } from '../../common/dead-letter.ts';
import { isPortentError } from '../../common/errors.ts';
import type { TopicNames } from '../../common/kafka/topics.ts';
import type { InRecord, KafkaTransport, OutRecord, RecordProducer } from '../../common/kafka/transport.ts';
import type { Logger } from '../../common/logger.ts';
import { AlerterErrorCodes, batchLost } from '../errors.ts';
import { heartbeat, heartbeatingSleep } from './heartbeat.ts';
import type { Sleep } from '../delivery/deliver.ts';
import { deliveryDeadLetter } from './dead-letter-headers.ts';
import { session } from './group.ts';
import type { AlertPipeline } from './draining.ts';
import { drainingHandle } from './draining.ts';
import type { WebhookSender } from '../delivery/sender.ts';
import { active } from '../subscriptions.ts';
import type { SubscriptionStore } from '../subscriptions.ts';
import type { Clock } from '../../common/clock.ts';

export interface RetryWorkerOptions {
  readonly transport: Pick<KafkaTransport, 'consumer'>;
  readonly producer: RecordProducer;
  readonly topics: Pick<TopicNames, 'alerterRetries' | 'deadLetter'>;
  readonly subscriptions: Pick<SubscriptionStore, 'find'>;
  readonly sender: Pick<WebhookSender, 'send'>;
  readonly config: { readonly groupId: string; readonly sessionTimeoutMs?: number };
  readonly logger: Logger;
  readonly now: Clock;
  readonly drainMs?: number;
}

const FATAL = new Set<string>([AlerterErrorCodes.DELIVERY_ABORTED, AlerterErrorCodes.BATCH_LOST]);

/**
 * The retry worker: consumes the retry topic (keyed by subscription) and
 * runs each handed-off delivery's remaining schedule, from its due time, with
 * the same webhook-id. A task's offset is committed only when its batch has
 * settled (delivered, dead-lettered, or its subscription gone), so a crash
 * re-runs it. Within a batch, tasks start together; the sender's
 * per-(subscription, alert) chains keep a queued RESOLVED behind its FIRING.
 *
 * Fresh alerts never wait here: only deliveries whose first attempt failed,
 * and later states of those same alerts, come through this topic.
 */
export async function runRetryWorker(opts: RetryWorkerOptions): Promise<AlertPipeline> {
  const abort = new AbortController();
  const log = opts.logger.child({ component: 'retry-worker' });
  const group = `${opts.config.groupId}-retries`;
  const consumer = opts.transport.consumer({ groupId: group, topics: [opts.topics.alerterRetries], fromBeginning: true, partitionsConcurrently: 8, ...session(opts.config) });

  const lag = new ConsumerLag(group);
  const handle = (record: InRecord, sleep: Sleep): Promise<OutRecord | null> =>
    continueTrace(record.headers, 'portent.alerter retry delivery', { 'messaging.system': 'kafka', 'messaging.kafka.offset': Number(record.offset) }, () => handleTask(record, sleep));

  const handleTask = async (record: InRecord, sleep: Sleep): Promise<OutRecord | null> => {
    let task: DeliveryTask;
    let alert: Alert;
    try {
      if (record.value === null) return null;
      task = deliveryTaskCodec.decode(record.value);
      alert = alertCodec.decode(task.alert);
    } catch (err) {
      log.warn({ err, partition: record.partition, offset: record.offset }, 'undecodable retry task dead-lettered');
      return deadLetter(record, err, group);
    }
    const sub = opts.subscriptions.find(task.subscriptionId);
    if (sub === undefined || !active(sub)) {
      log.info({ subscriptionId: task.subscriptionId }, 'retry dropped: subscription deleted, paused or disabled');
      return null;
    }
    try {
      const { outcome } = await opts.sender.send(sub, alert, { signal: abort.signal, sleep, firstAttempt: task.attempts + 1, notBefore: task.dueAt });
      deliveryFinished('retries', outcome.delivered ? 'delivered' : 'failed', 0, opts.now());
      return outcome.delivered ? null : deliveryDeadLetter({ ...record, value: task.alert }, outcome.error, group, sub, alert, outcome);
    } catch (err) {
      if (isPortentError(err) && FATAL.has(err.code)) throw err;
      log.error({ err, subscriptionId: sub.id }, 'retry failed unexpectedly');
      return deadLetter({ ...record, value: task.alert }, err, group);
    }
  };

  await consumer.run(async (batch) => {
    if (abort.signal.aborted) throw batchLost(abort.signal.reason);
    const sleep = heartbeatingSleep(batch);
    const settled = await Promise.allSettled(batch.records.map((r) => handle(r, sleep)));
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    const letters = settled.flatMap((s) => (s.status === 'fulfilled' && s.value !== null ? [s.value] : []));
    if (letters.length > 0) await opts.producer.send(opts.topics.deadLetter, letters);
    lag.handled(batch);
    await heartbeat(batch, log);
  });
  log.info({ topic: opts.topics.alerterRetries, groupId: group }, 'retry worker running');
  return drainingHandle(consumer, abort, opts.drainMs);
}
