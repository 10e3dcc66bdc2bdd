import { alertCodec } from '../common/avro/codecs.ts';
import type { Alert, Subscription } from '../common/avro/generated-types.ts';
import { deadLetter } from '../common/dead-letter.ts';
import { isPortentError } from '../common/errors.ts';
import type { TopicNames } from '../common/kafka/topics.ts';
import type { InBatch, InRecord, KafkaTransport, OutRecord, RecordProducer } from '../common/kafka/transport.ts';
import type { Logger } from '../common/logger.ts';
import type { AlerterConfig } from './config.ts';
import { defaultSleep, deliver } from './delivery.ts';
import type { DeliveryOptions, Sleep } from './delivery.ts';
import { AlerterErrorCodes, batchLost, emptyAlert } from './errors.ts';
import type { SubscriptionStore } from './subscriptions.ts';
import { buildWebhook } from './webhook.ts';

/** Headers added to a dead-lettered alert whose delivery failed, next to the common portent-dlq-* ones. */
export const DeliveryDeadLetterHeaders = {
  subscriptionId: 'portent-alerter-subscription-id',
  webhookId: 'portent-alerter-webhook-id',
  attempts: 'portent-alerter-attempts',
  status: 'portent-alerter-status',
} as const;

/** Waits longer than this are cut into slices with a heartbeat between, so the group keeps us as a member. */
const HEARTBEAT_EVERY_MS = 3_000;

/** Errors that mean "this batch cannot finish here": they fail the batch so it is not committed. */
const BATCH_FATAL = new Set<string>([AlerterErrorCodes.DELIVERY_ABORTED, AlerterErrorCodes.BATCH_LOST]);

export interface AlertPipelineOptions {
  readonly transport: Pick<KafkaTransport, 'consumer'>;
  readonly producer: RecordProducer;
  readonly topics: Pick<TopicNames, 'alerts' | 'deadLetter'>;
  readonly subscriptions: Pick<SubscriptionStore, 'matching'>;
  readonly config: Pick<AlerterConfig, 'groupId' | 'delivery'>;
  readonly logger: Logger;
  /** Tests pin jitter and the clock here. */
  readonly delivery?: Pick<DeliveryOptions, 'random' | 'now'>;
}

export interface AlertPipeline {
  /** True from the moment the consumer runs until close(): /readyz reads it. */
  readonly running: boolean;
  /** Aborts in-flight deliveries (their records stay uncommitted) and leaves the group. */
  close(): Promise<void>;
}

/**
 * Consumes alerts and delivers each to every matching subscription.
 *
 * Offsets are committed after a batch's handler resolves, so delivery is
 * at-least-once; receivers drop repeats by webhook-id. A record that cannot
 * be decoded, or whose delivery to some subscription ran out of retries, is
 * copied to the dead-letter topic and the pipeline moves on: one bad record
 * or one dead receiver never stops the others.
 */
export async function runAlertPipeline(opts: AlertPipelineOptions): Promise<AlertPipeline> {
  const abort = new AbortController();
  const log = opts.logger.child({ component: 'alert-pipeline' });
  // fromBeginning: a new group (first deploy, or a renamed group) starts at the oldest retained
  // alert rather than the newest, so alerts raised while the alerter was being rolled out are
  // not lost. Retention (90 days) bounds the replay, and webhook-ids let receivers drop repeats.
  const consumer = opts.transport.consumer({ groupId: opts.config.groupId, topics: [opts.topics.alerts], fromBeginning: true });
  let running = false;

  const handleRecord = async (record: InRecord, batch: InBatch): Promise<void> => {
    let alert: Alert;
    try {
      if (record.value === null) throw emptyAlert();
      alert = alertCodec.decode(record.value);
    } catch (err) {
      log.warn({ err, topic: record.topic, partition: record.partition, offset: record.offset }, 'undecodable alert dead-lettered');
      await opts.producer.send(opts.topics.deadLetter, [deadLetter(record, err, opts.config.groupId)]);
      return;
    }
    const options: DeliveryOptions = { ...opts.delivery, settings: opts.config.delivery, logger: log, signal: abort.signal, sleep: heartbeatingSleep(batch) };
    const subs = opts.subscriptions.matching(alert);
    const failed = await Promise.all(subs.map((sub) => deliverTo(sub, alert, record, options, opts.config.groupId)));
    const letters = failed.filter((r): r is OutRecord => r !== null);
    if (letters.length > 0) await opts.producer.send(opts.topics.deadLetter, letters);
  };

  await consumer.run(async (batch) => {
    for (const record of batch.records) {
      if (abort.signal.aborted) throw batchLost(abort.signal.reason);
      await handleRecord(record, batch);
      await heartbeat(batch);
    }
  });
  running = true;
  log.info({ topic: opts.topics.alerts, groupId: opts.config.groupId }, 'alert consumer running');

  return {
    get running() {
      return running;
    },
    async close() {
      running = false;
      abort.abort(new Error('alerter shutting down'));
      await consumer.close();
    },
  };
}

/** Delivers one alert to one subscription; resolves with a dead-letter record when it could not. */
async function deliverTo(sub: Subscription, alert: Alert, record: InRecord, options: DeliveryOptions, consumerName: string): Promise<OutRecord | null> {
  const webhook = buildWebhook(sub, alert);
  let error: unknown;
  let extra: Record<string, string> = {};
  try {
    const outcome = await deliver(webhook, options);
    if (outcome.delivered) return null;
    error = outcome.error;
    extra = { [DeliveryDeadLetterHeaders.attempts]: String(outcome.attempts), [DeliveryDeadLetterHeaders.status]: String(outcome.status ?? '') };
  } catch (err) {
    if (isPortentError(err) && BATCH_FATAL.has(err.code)) throw err;
    // Anything else (e.g. an unusable secret) is specific to this subscription: dead-letter it, go on.
    options.logger.error({ err, subscriptionId: sub.id, webhookId: webhook.id }, 'webhook delivery failed unexpectedly');
    error = err;
  }
  const letter = deadLetter(record, error, consumerName);
  return {
    ...letter,
    headers: { ...letter.headers, ...extra, [DeliveryDeadLetterHeaders.subscriptionId]: sub.id, [DeliveryDeadLetterHeaders.webhookId]: webhook.id },
  };
}

async function heartbeat(batch: InBatch): Promise<void> {
  try {
    await batch.heartbeat();
  } catch (err) {
    throw batchLost(err);
  }
}

/** A Sleep that heartbeats every few seconds, so a long retry wait does not cost us the partition. */
function heartbeatingSleep(batch: InBatch): Sleep {
  return async (ms, signal) => {
    for (let left = ms; left > 0; left -= HEARTBEAT_EVERY_MS) {
      await defaultSleep(Math.min(left, HEARTBEAT_EVERY_MS), signal);
      await heartbeat(batch);
    }
  };
}
