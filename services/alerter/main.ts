/**
 * The alerter process: wiring only. `node services/alerter/main.ts`
 *
 * config -> logger -> HTTP API listening (liveness up, not ready) while the
 * Kafka producer connects -> compacted tables caught up (subscriptions, silences, advisories,
 * attempts, recent alerts) -> alert pipeline running (ready). The API listens
 * before Kafka has been read so probes get answers while the tables catch up;
 * /v1 and /readyz answer 503 until then.
 */
import type { FastifyInstance } from 'fastify';
import { advisoryCodec, silenceCodec } from '../common/avro/codecs.ts';
import type { Advisory, Silence } from '../common/avro/generated-types.ts';
import { reachKafka } from '../common/kafka/reach.ts';
import { topicNames } from '../common/kafka/topics.ts';
import { KafkaTransport } from '../common/kafka/transport.ts';
import type { RecordProducer } from '../common/kafka/transport.ts';
import { createLogger } from '../common/logger.ts';
import { startTelemetry } from '../common/telemetry/sdk.ts';
import { configOrExit, dropHarmlessWarnings, exitOnFatal, logFatal, onShutdown } from '../common/lifecycle.ts';
import { buildApp } from './app.ts';
import { pinger } from './delivery/ping.ts';
import { replayer } from './delivery/replay.ts';
import { connectingProducer } from './connecting-producer.ts';
import { AttemptLog } from './delivery/attempt-log.ts';
import { loadAlerterConfig } from './config.ts';
import { FailureTracker } from './delivery/failure-tracker.ts';
import { DeliveryLanes } from './delivery/lanes.ts';
import { runAlertPipeline } from './consumers/alert-pipeline.ts';
import type { AlertPipeline } from './consumers/alert-pipeline.ts';
import { runRetryWorker } from './consumers/retry-worker.ts';
import { WebhookSender } from './delivery/sender.ts';
import { AddressPolicy, guardedDispatcher, literalRefused } from './delivery/ssrf.ts';
import { SubscriptionStore, kafkaSubscriptionWriter } from './subscriptions.ts';
import { TopicStore, kafkaWriter } from './topic-store.ts';
import { systemClock } from '../common/clock.ts';
import { alerterTables, catchUp, namedTables } from './tables.ts';

dropHarmlessWarnings();
const config = configOrExit(() => loadAlerterConfig(process.env));

const logger = createLogger('alerter', config.logLevel);
const telemetry = startTelemetry({ service: 'portent-alerter', ...config.telemetry });
const topics = topicNames(config.topicPrefix);
const transport = new KafkaTransport({ brokers: config.brokers, clientId: 'portent-alerter', logger, security: config.kafkaSecurity, onFatal: exitOnFatal(logger) });
const tables = alerterTables();
const policy = new AddressPolicy(config.pacing.allowedCidrs);
let producer: RecordProducer | undefined;
let app: FastifyInstance | undefined;
let pipeline: AlertPipeline | undefined;
let retryWorker: AlertPipeline | undefined;
let attemptsRef: AttemptLog | undefined;
// Widened: set by the shutdown handler while start-up awaits.
let stopping = false as boolean;

// Registered before Kafka is touched, so a signal during start-up still shuts down cleanly.
onShutdown(logger, async () => {
  stopping = true;
  await closeAll();
  logger.info('alerter stopped');
});

try {
  // The producer connects while the API starts listening: a slow or absent broker must not keep the
  // probes unanswered (the kubelet would restart the pod). Writes wait for the connection.
  // Kafka unreachable or refusing the credentials ends start-up with one line naming the brokers and the cause.
  const connecting = reachKafka({ brokers: config.brokers, clientId: 'portent-alerter', security: config.kafkaSecurity, timeoutMs: config.kafkaStartupTimeoutMs })
    .then(() => transport.producer());
  connecting.catch(() => undefined);
  producer = connectingProducer(connecting);
  const subscriptions = new SubscriptionStore({ table: tables.subscriptions, writer: kafkaSubscriptionWriter(producer, topics.subscriptions), now: systemClock });
  const silences = new TopicStore<Silence>('silence', tables.silences, kafkaWriter(producer, topics.silences, (s) => silenceCodec.encode(s)));
  const advisories = new TopicStore<Advisory>('advisory', tables.advisories, kafkaWriter(producer, topics.advisories, (a) => advisoryCodec.encode(a)));
  const attempts = new AttemptLog({ table: tables.attempts, producer, topic: topics.deliveryAttempts, logger });
  attemptsRef = attempts;
  const sender = new WebhookSender({
    settings: config.delivery,
    http: { dispatcher: guardedDispatcher(policy), policy },
    lanes: new DeliveryLanes(config.pacing, systemClock),
    now: systemClock,
    logger,
    attempts,
    subscriptions,
    failures: new FailureTracker(config.pacing.disableAfterMs),
  });
  app = buildApp({
    config,
    clock: systemClock,
    subscriptions,
    silences,
    advisories,
    logger,
    alerts: () => tables.alerts.values(),
    urlRefused: (url) => literalRefused(policy, url),
    ping: pinger(sender, systemClock),
    attempts: { log: attempts, subscriptions, replay: replayer(sender, subscriptions, logger) },
    metrics: telemetry.serveMetrics,
    readiness: { subscriptions: () => subscriptions.ready, alertConsumer: () => pipeline?.running === true, retryWorker: () => retryWorker?.running === true },
  });
  const address = await app.listen({ host: config.http.host, port: config.http.port });
  logger.info({ address }, 'alerter listening');
  await connecting;

  await catchUp(tables, transport, topics, config.groupId, logger);
  const pruner = setInterval(() => {
    attempts.prune();
  }, 60_000);
  pruner.unref();
  subscriptions.markReady();
  logger.info({ subscriptions: tables.subscriptions.size, silences: tables.silences.size }, 'tables caught up');
  // Started only now: matching alerts against a half-read table would silently skip subscribers.
  if (!stopping) pipeline = await runAlertPipeline({ transport, producer, topics, subscriptions, silences, sender, config, logger, now: systemClock });
  if (!stopping) retryWorker = await runRetryWorker({ transport, producer, topics, subscriptions, sender, config, logger, now: systemClock });
} catch (err) {
  // During a shutdown, closing the clients makes start-up fail: that is not an error.
  if (!stopping) {
    logFatal(logger, err, 'alerter cannot start');
    await closeAll();
    process.exit(1);
  }
}

/**
 * HTTP server first (in-flight requests may still write), then the consumers
 * together (each disconnect waits out a fetch of up to ~5 s), the producer last.
 */
async function closeAll(): Promise<void> {
  const [http, alerts, retries, out, attemptLog] = [app, pipeline, retryWorker, producer, attemptsRef];
  await closing('http', http && (() => http.close()));
  await Promise.all([
    closing('alert consumer', alerts && (() => alerts.close())),
    closing('retry worker', retries && (() => retries.close())),
    ...namedTables(tables).map(([name, table]) => closing(`${name} table`, () => table.close())),
  ]);
  await closing('attempt log', attemptLog && (() => attemptLog.flush()));
  await closing('producer', out && (() => out.close()));
  await closing('telemetry', () => telemetry.shutdown());
}

async function closing(step: string, close: (() => Promise<unknown>) | undefined): Promise<void> {
  const started = Date.now();
  try {
    await close?.();
    logger.debug({ step, ms: Date.now() - started }, 'closed');
  } catch (err) {
    logger.warn({ err, step }, 'error while closing');
  }
}
