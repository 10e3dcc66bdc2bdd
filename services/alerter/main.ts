/**
 * The alerter process: wiring only. `node services/alerter/main.ts`
 *
 * config -> logger -> Kafka producer -> HTTP API listening (liveness up, not
 * ready) -> subscription table caught up -> alert pipeline running (ready).
 * The API listens before Kafka has been read so probes get answers while the
 * table catches up; /v1 and /readyz answer 503 until then.
 */
import type { FastifyInstance } from 'fastify';
import { subscriptionCodec } from '../common/avro/codecs.ts';
import type { Subscription } from '../common/avro/generated-types.ts';
import { isPortentError } from '../common/errors.ts';
import { CompactedTable } from '../common/kafka/table.ts';
import { topicNames } from '../common/kafka/topics.ts';
import { KafkaTransport } from '../common/kafka/transport.ts';
import type { RecordProducer } from '../common/kafka/transport.ts';
import { createLogger } from '../common/logger.ts';
import { configOrExit, exitOnFatal, onShutdown } from '../common/lifecycle.ts';
import { buildApp } from './app.ts';
import { loadAlerterConfig } from './config.ts';
import { runAlertPipeline } from './pipeline.ts';
import type { AlertPipeline } from './pipeline.ts';
import { SubscriptionStore, kafkaSubscriptionWriter } from './subscriptions.ts';

const config = configOrExit(() => loadAlerterConfig(process.env));

const logger = createLogger('alerter', config.logLevel);
const topics = topicNames(config.topicPrefix);
const transport = new KafkaTransport({ brokers: config.kafkaBrokers, clientId: 'portent-alerter', logger, onFatal: exitOnFatal(logger) });
const table = new CompactedTable<Subscription>((value) => subscriptionCodec.decode(value));
let producer: RecordProducer | undefined;
let app: FastifyInstance | undefined;
let pipeline: AlertPipeline | undefined;
// Widened: set by the shutdown handler while start-up awaits.
let stopping = false as boolean;

// Registered before Kafka is touched, so a signal during start-up still shuts down cleanly.
onShutdown(logger, async () => {
  stopping = true;
  await closeAll();
  logger.info('alerter stopped');
});

try {
  producer = await transport.producer();
  const subscriptions = new SubscriptionStore({ table, writer: kafkaSubscriptionWriter(producer, topics.subscriptions) });
  app = buildApp({
    config,
    subscriptions,
    logger,
    readiness: { subscriptions: () => subscriptions.ready, alertConsumer: () => pipeline?.running === true },
  });
  const address = await app.listen({ host: config.http.host, port: config.http.port });
  logger.info({ address }, 'alerter listening');

  await table.start(transport, topics.subscriptions, `${config.groupId}-subscriptions`, (record, err) => {
    // Never log the value: a subscription record holds its secret.
    logger.warn({ code: isPortentError(err) ? err.code : 'unexpected', partition: record.partition, offset: record.offset }, 'unreadable subscription record skipped');
  });
  subscriptions.markReady();
  logger.info({ subscriptions: table.size }, 'subscription table caught up');
  // Started only now: matching alerts against a half-read table would silently skip subscribers.
  if (!stopping) pipeline = await runAlertPipeline({ transport, producer, topics, subscriptions, config, logger });
} catch (err) {
  // During a shutdown, closing the clients makes start-up fail: that is not an error.
  if (!stopping) {
    logger.fatal({ err }, 'alerter failed to start');
    await closeAll();
    process.exit(1);
  }
}

/**
 * HTTP server first (in-flight requests may still write), then both consumers
 * together (each disconnect waits out a fetch of up to ~5 s), the producer last.
 */
async function closeAll(): Promise<void> {
  const [http, alerts, out] = [app, pipeline, producer];
  await closing('http', http && (() => http.close()));
  await Promise.all([closing('alert consumer', alerts && (() => alerts.close())), closing('subscription table', () => table.close())]);
  await closing('producer', out && (() => out.close()));
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
