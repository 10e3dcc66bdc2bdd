/**
 * Sensor service: wiring only. Plays the configured simulator scenario into
 * the connections topic, then exits 0. SIGTERM/SIGINT stop it after the
 * current slice, with everything read so far published.
 * Run: node services/sensor/main.ts
 */
import { connectionBatchCodec } from '../common/avro/codecs.ts';
import { topicNames } from '../common/kafka/topics.ts';
import { KafkaTransport } from '../common/kafka/transport.ts';
import { configOrExit } from '../common/lifecycle.ts';
import { createLogger } from '../common/logger.ts';
import { toBatches } from './batching.ts';
import { loadSensorConfig } from './config.ts';
import { replayScenario } from './replay.ts';

const config = configOrExit(() => loadSensorConfig(process.env, Date.now()));
const logger = createLogger('sensor', config.logLevel);
const topic = topicNames(config.topicPrefix).connections;
const transport = new KafkaTransport({ brokers: config.brokers, clientId: `portent-sensor-${config.sensorId}`, logger });
const producer = await transport.producer();
const stop = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    stop.abort();
  });
}

logger.info({ scenario: config.scenario.name, seed: config.seed, speed: config.speed, start: new Date(config.startMs).toISOString() }, 'sensor playing scenario');
const result = await replayScenario({
  scenario: config.scenario,
  seed: config.seed,
  startMs: config.startMs,
  speed: config.speed,
  signal: stop.signal,
  publish: async (events) => {
    const records = toBatches(config.sensorId, events, config.batchEvents).map((b) => ({ key: b.key, value: connectionBatchCodec.encode(b.batch) }));
    await producer.send(topic, records);
  },
});
await producer.close();
logger.info({ events: result.events, stopped: stop.signal.aborted }, 'sensor finished');
