/**
 * Detector service: wiring only (config -> clients -> pipeline -> shutdown).
 * Run: node services/detector/main.ts
 */
import { reachKafka } from '../common/kafka/reach.ts';
import { topicNames } from '../common/kafka/topics.ts';
import { KafkaTransport } from '../common/kafka/transport.ts';
import { createLogger } from '../common/logger.ts';
import { startHealthServer } from '../common/health-server.ts';
import { startTelemetry } from '../common/telemetry/sdk.ts';
import { configOrExit, dropHarmlessWarnings, exitOnFatal, onShutdown } from '../common/lifecycle.ts';
import { loadDetectorConfig } from './config.ts';
import { startPartialMerger } from './stream/merger-stream.ts';
import { startDetectorPipeline } from './stream/pipeline.ts';
import { systemClock } from '../common/clock.ts';

dropHarmlessWarnings();
const config = configOrExit(() => loadDetectorConfig(process.env));
const logger = createLogger('detector', config.logLevel);
const telemetry = startTelemetry({ service: 'portent-detector', ...config.telemetry });
const transport = new KafkaTransport({ brokers: config.brokers, clientId: 'portent-detector', logger, security: config.kafkaSecurity, onFatal: exitOnFatal(logger) });
// Probes answer while Kafka connects and the consumer joins its group: live at once, ready once it runs.
let running = false;
const health = config.healthPort === undefined ? undefined : await startHealthServer({ host: '0.0.0.0', port: config.healthPort, logger, checks: { consumer: () => running }, metrics: telemetry.serveMetrics });
// Kafka unreachable or refusing the credentials: one line naming the brokers and the cause, exit 1.
await reachKafka({ brokers: config.brokers, clientId: 'portent-detector', security: config.kafkaSecurity, timeoutMs: config.kafkaStartupTimeoutMs })
  .catch(exitOnFatal(logger, 'detector cannot start'));
const producer = await transport.producer();
const topics = topicNames(config.topicPrefix);
// Two consumer groups: the connections pipeline (<group>), and the merger of hot ports' partial windows (<group>-merge).
const pipeline = startDetectorPipeline({ transport, producer, topics, config, logger, now: systemClock });
await pipeline.started;
const merger = startPartialMerger({ transport, producer, topics, config, logger, now: systemClock, advisories: pipeline.advisories, counters: pipeline.hotPorts });
await merger.started;
running = true;
logger.info({ brokers: config.brokers, groupId: config.groupId }, 'detector running');

onShutdown(logger, async () => {
  running = false;
  await pipeline.close();
  await merger.close();
  await producer.close();
  await health?.close();
  await telemetry.shutdown().catch((err: unknown) => {
    logger.warn({ err }, 'telemetry did not flush');
  });
  logger.info({ counters: pipeline.counters }, 'detector stopped');
});
