import { ConsumerLag } from '../../common/telemetry/consumer-lag.ts';
import { continueTrace, traceHeaders } from '../../common/telemetry/propagation.ts';
import { deliveryFinished } from '../telemetry.ts';
import { alertCodec, deliveryTaskCodec } from '../../common/avro/codecs.ts';
import type { Alert, Silence, Subscription } from '../../common/avro/generated-types.ts';
import { deadLetter } from '../../common/dead-letter.ts';
import { isPortentError } from '../../common/errors.ts';
import { sendInParts } from '../../common/kafka/send-size.ts';
import type { TopicNames } from '../../common/kafka/topics.ts';
import type { InRecord, KafkaTransport, OutRecord, RecordProducer } from '../../common/kafka/transport.ts';
import type { Logger } from '../../common/logger.ts';
import type { AlerterConfig } from '../config.ts';
import type { Sleep } from '../delivery/deliver.ts';
import { heartbeat, heartbeatingSleep } from './heartbeat.ts';
import { AlerterErrorCodes, batchLost, emptyAlert } from '../errors.ts';
import { silenced } from '../filters.ts';
import type { AlertPipeline } from './draining.ts';
import { drainingHandle } from './draining.ts';
import type { HandOff, WebhookSender } from '../delivery/sender.ts';
import type { SubscriptionStore } from '../subscriptions.ts';
import { deliveryDeadLetter } from './dead-letter-headers.ts';
import { session } from './group.ts';
import type { Clock } from '../../common/clock.ts';

/** Partitions of the alerts topic whose batches are delivered at the same time. */
const PARTITIONS_CONCURRENTLY = 8;

/** Errors that mean "this batch cannot finish here": they fail the batch so it is not committed. */
const BATCH_FATAL = new Set<string>([AlerterErrorCodes.DELIVERY_ABORTED, AlerterErrorCodes.BATCH_LOST]);

export interface AlertPipelineOptions {
  readonly transport: Pick<KafkaTransport, 'consumer'>;
  readonly producer: RecordProducer;
  /** With `alerterRetries`, failed first attempts are handed to the retry worker; without, retries are waited out in the batch. */
  readonly topics: Pick<TopicNames, 'alerts' | 'deadLetter'> & Partial<Pick<TopicNames, 'alerterRetries'>>;
  readonly subscriptions: Pick<SubscriptionStore, 'matching'>;
  readonly silences?: { values(): Iterable<Silence> };
  readonly sender: Pick<WebhookSender, 'send'>;
  readonly config: Pick<AlerterConfig, 'groupId'> & Partial<Pick<AlerterConfig, 'sessionTimeoutMs'>> & { readonly pacing?: Pick<AlerterConfig['pacing'], 'maxAlertAgeMs'> };
  readonly logger: Logger;
  readonly now: Clock;
  /** How long close() lets in-flight deliveries finish before aborting them (default 5 s). */
  readonly drainMs?: number;
}

export type { AlertPipeline } from './draining.ts';

/**
 * Consumes alerts and delivers each to every matching, active, unsilenced
 * subscription.
 *
 * Every delivery of a batch starts at once (the sender keeps each
 * (subscription, alert) in order and paces each subscription), so a slow
 * receiver delays no other subscriber's webhooks. Offsets are committed after
 * the whole batch is settled, so delivery is at-least-once; receivers drop
 * repeats by webhook-id. Undecodable records and deliveries that ran out of
 * retries are copied to the dead-letter topic and the pipeline moves on.
 */
export async function runAlertPipeline(opts: AlertPipelineOptions): Promise<AlertPipeline> {
  const abort = new AbortController();
  const log = opts.logger.child({ component: 'alert-pipeline' });
  const now = opts.now;
  // fromBeginning: a new group (first deploy, or a renamed group) starts at the oldest retained
  // alert rather than the newest, so alerts raised while the alerter was being rolled out are
  // not lost. Retention (90 days) bounds the replay, and webhook-ids let receivers drop repeats.
  // Partitions are handled concurrently (order within a partition, hence per alertId, is kept):
  // a slow batch on one partition does not hold up alerts on the others.
  const consumer = opts.transport.consumer({ groupId: opts.config.groupId, topics: [opts.topics.alerts], fromBeginning: true, partitionsConcurrently: PARTITIONS_CONCURRENTLY, ...session(opts.config) });
  const retries = opts.topics.alerterRetries;
  // The task is acknowledged by Kafka before this batch's offsets are committed: a crash loses nothing.
  const handOff: HandOff | undefined =
    retries === undefined ? undefined : (task) => opts.producer.send(retries, [{ key: task.subscriptionId, value: deliveryTaskCodec.encode(task), headers: traceHeaders() }]);

  const lag = new ConsumerLag(opts.config.groupId);
  // The alert's trace (begun at the sensor, continued by the detector) goes on through its deliveries.
  const handleRecord = (record: InRecord, sleep: Sleep): Promise<OutRecord[]> =>
    continueTrace(record.headers, 'portent.alerter deliver alert', { 'messaging.system': 'kafka', 'messaging.kafka.offset': Number(record.offset) }, () => handleAlert(record, sleep));

  const handleAlert = async (record: InRecord, sleep: Sleep): Promise<OutRecord[]> => {
    let alert: Alert;
    try {
      if (record.value === null) throw emptyAlert();
      alert = alertCodec.decode(record.value);
    } catch (err) {
      log.warn({ err, topic: record.topic, partition: record.partition, offset: record.offset }, 'undecodable alert dead-lettered');
      return [deadLetter(record, err, opts.config.groupId)];
    }
    // fromBeginning lets a new group start at the oldest retained alert; this bounds how far back
    // it actually delivers (by the record's Kafka timestamp, not the alert's event time, which a
    // replayed capture may set years back).
    const maxAge = opts.config.pacing?.maxAlertAgeMs;
    if (maxAge !== undefined && record.timestamp > 0 && now() - record.timestamp > maxAge) {
      log.debug({ alertId: alert.alertId, offset: record.offset }, 'alert too old to deliver');
      return [];
    }
    const silence = opts.silences === undefined ? undefined : silenced(opts.silences.values(), alert, now());
    if (silence !== undefined) {
      log.info({ alertId: alert.alertId, silenceId: silence.id }, 'alert silenced');
      return [];
    }
    const subs = opts.subscriptions.matching(alert);
    const results = await Promise.all(subs.map((sub) => deliverTo(sub, alert, record, sleep)));
    return results.filter((r): r is OutRecord => r !== null);
  };

  const deliverTo = async (sub: Subscription, alert: Alert, record: InRecord, sleep?: Sleep): Promise<OutRecord | null> => {
    try {
      const { outcome, handedOff } = await opts.sender.send(sub, alert, { signal: abort.signal, ...(sleep === undefined ? {} : { sleep }), ...(handOff === undefined ? {} : { handOff }) });
      deliveryFinished('alerts', outcome.delivered ? 'delivered' : handedOff ? 'retrying' : 'failed', record.timestamp, now());
      return outcome.delivered || handedOff ? null : deliveryDeadLetter(record, outcome.error, opts.config.groupId, sub, alert, outcome);
    } catch (err) {
      if (isPortentError(err) && BATCH_FATAL.has(err.code)) throw err;
      // Anything else (e.g. an unusable secret) is specific to this subscription: dead-letter it, go on.
      log.error({ err, subscriptionId: sub.id }, 'webhook delivery failed unexpectedly');
      return deliveryDeadLetter(record, err, opts.config.groupId, sub, alert);
    }
  };

  await consumer.run(async (batch) => {
    if (abort.signal.aborted) throw batchLost(abort.signal.reason);
    const sleep = heartbeatingSleep(batch);
    // Started in record order, synchronously: the sender's per-(subscription, alert) chains then
    // hold every later state of an alert behind its earlier ones.
    const settled = await Promise.allSettled(batch.records.map((record) => handleRecord(record, sleep)));
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    const letters = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
    // In parts the broker takes (send-size.ts): dead letters carry the whole alert record, and the topic has one partition.
    await sendInParts(opts.producer, opts.topics.deadLetter, letters);
    lag.handled(batch);
    await heartbeat(batch, log);
  });
  log.info({ topic: opts.topics.alerts, groupId: opts.config.groupId }, 'alert consumer running');
  return drainingHandle(consumer, abort, opts.drainMs);
}
