/**
 * Detector service: wiring only (config -> clients -> pipeline -> shutdown).
 * Run: node services/detector/main.ts
 */
import { topicNames } from '../common/kafka/topics.ts';
import { KafkaTransport } from '../common/kafka/transport.ts';
import { createLogger } from '../common/logger.ts';
import { configOrExit, exitOnFatal, onShutdown } from '../common/lifecycle.ts';
import { loadDetectorConfig } from './config.ts';
import { startDetectorPipeline } from './pipeline.ts';

const config = configOrExit(() => loadDetectorConfig(process.env));
const logger = createLogger('detector', config.logLevel);
const transport = new KafkaTransport({ brokers: config.brokers, clientId: 'portent-detector', logger, onFatal: exitOnFatal(logger) });
const producer = await transport.producer();
const pipeline = startDetectorPipeline({
  transport,
  producer,
  topics: topicNames(config.topicPrefix),
  groupId: config.groupId,
  detector: config.detector,
  logger,
});
await pipeline.started;
logger.info({ brokers: config.brokers, groupId: config.groupId }, 'detector running');

onShutdown(logger, async () => {
  await pipeline.close();
  await producer.close();
  logger.info({ counters: pipeline.counters }, 'detector stopped');
});
