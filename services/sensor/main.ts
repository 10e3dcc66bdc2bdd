/**
 * Sensor service: wiring only. Reads the configured input (simulator, pcap,
 * live capture, Zeek, Suricata EVE, netfilter or DShield logs; see README),
 * publishes batches to the connections topic, spooling to disk while the
 * broker is away. Exits 0 when the input ends; SIGTERM/SIGINT stop the input,
 * then everything read is flushed (within PORTENT_SENSOR_FLUSH_GRACE_MS).
 * Run: node services/sensor/main.ts [--input KIND --file PATH ...] (--help)
 */
import type { ConnectionEvent } from '../common/avro/generated-types.ts';
import { topicNames } from '../common/kafka/topics.ts';
import { KafkaTransport } from '../common/kafka/transport.ts';
import { configOrExit, dropHarmlessWarnings, exitOnFatal, onShutdown } from '../common/lifecycle.ts';
import { createLogger } from '../common/logger.ts';
import { startHealthServer } from '../common/health-server.ts';
import { startTelemetry } from '../common/telemetry/sdk.ts';
import { parseCli, USAGE } from './cli.ts';
import { loadSensorConfig } from './config.ts';
import { Delivery } from './delivery.ts';
import { runInput } from './input.ts';
import { SensorMetrics } from './metrics.ts';
import { SensorPipelines } from './fleet.ts';
import { Pseudonymizer, pseudonymKey } from './pseudonym.ts';
import { formatReport, InputReport } from './report.ts';
import { Spool } from './spool.ts';
import { observeSensor } from './telemetry.ts';
import { systemClock } from '../common/clock.ts';

dropHarmlessWarnings();
const cli = configOrExit(() => parseCli(process.argv.slice(2), process.env));
if (cli.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const config = configOrExit(() => loadSensorConfig(cli.env, systemClock()));
const logger = createLogger('sensor', config.logLevel);
const telemetry = startTelemetry({ service: 'portent-sensor', ...config.telemetry });
const report = new InputReport();
const metrics = new SensorMetrics(report);
observeSensor(metrics, config.sensorId);
const transport = new KafkaTransport({
  brokers: config.brokers,
  clientId: `portent-sensor-${config.sensorId}`,
  logger,
  security: config.kafkaSecurity,
  retry: { retries: config.sendRetries, maxRetryTimeMs: 2000 },
});
const spool = new Spool({
  dir: config.spoolDir,
  maxBytes: config.spoolMaxBytes,
  onDrop: (records, events) => {
    metrics.dropped('spool_full', events);
    logger.warn({ records, events }, 'spool full: dropped its oldest segment');
  },
});
const delivery = new Delivery({
  connect: () => transport.producer({ retries: config.sendRetries, maxRetryTimeMs: 2000 }),
  kafka: { brokers: config.brokers, security: config.kafkaSecurity },
  // Spooling cannot get past refused credentials: one line naming the brokers and the cause, exit 1.
  onRefused: exitOnFatal(logger, 'sensor cannot send'),
  topic: topicNames(config.topicPrefix).connections,
  spool,
  metrics,
  logger,
});
// One pipeline per sensor id: a directory replay publishes each file under its own.
const pipelines = new SensorPipelines({
  batchEvents: config.batchEvents,
  pseudonymizer: config.pseudonymKey === undefined ? undefined : new Pseudonymizer(pseudonymKey(config.pseudonymKey)),
  publish: (records) => delivery.publish(records),
  hotPorts: config.hotPorts,
});
// Live at once; ready while the broker takes batches (a sensor that spools still works, but is not "ready").
const health = config.healthPort === undefined ? undefined : await startHealthServer({ host: '0.0.0.0', port: config.healthPort, logger, checks: { broker: () => metrics.brokerUp }, metrics: telemetry.serveMetrics });
const stats = config.statsSeconds > 0 ? setInterval(() => {
  logger.info({ metrics: metrics.snapshot() }, 'sensor metrics');
}, config.statsSeconds * 1000) : undefined;

// SIGTERM/SIGINT (common/lifecycle.ts): the input stops, and what was read is flushed and
// reported below, which then exits itself; the grace bounds a flush the broker never takes.
const stop = new AbortController();
let finished: () => void = () => undefined;
const done = new Promise<void>((resolve) => {
  finished = resolve;
});
onShutdown(
  logger,
  () => {
    logger.info('stopping: flushing what was read');
    stop.abort();
    return done;
  },
  config.flushGraceMs + 10_000,
);

const { input } = config;
logger.info({ input: { ...input, scenario: input.kind === 'simulator' ? input.scenario.name : undefined }, spoolDir: config.spoolDir, pseudonymised: config.pseudonymKey !== undefined }, 'sensor starting');
let exitCode = 0;
const started = performance.now();
try {
  const emitFor = (sensorId: string) => (events: ConnectionEvent[]) => pipelines.get(sensorId).add(events);
  await runInput(input, report, emitFor(config.sensorId), stop.signal, systemClock, undefined, emitFor);
} catch (err) {
  logger.error({ err }, 'input failed');
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  exitCode = 1;
}
// The input's time: the broker's flush grace after it is not the input's rate.
const inputMs = performance.now() - started;
await pipelines.close();
await delivery.close(config.flushGraceMs);
if (stats !== undefined) clearInterval(stats);
await health?.close();
await telemetry.shutdown().catch((err: unknown) => {
  logger.warn({ err }, 'telemetry did not flush');
});
const final = metrics.snapshot();
logger.info({ metrics: final, examples: report.examples(), notes: report.notes, stopped: stop.signal.aborted }, 'sensor finished');
process.stderr.write(`${formatReport(report, final.eventsPublished, final.eventsDropped, final.spoolEvents, inputMs)}\n`);
if (exitCode === 0 && final.spoolEvents > 0) {
  // Not delivered yet: a script must not take the run for a success. EX_TEMPFAIL (sysexits.h): try again later.
  process.stderr.write(`${final.spoolEvents} events wait in the spool ${config.spoolDir} for Kafka at ${config.brokers.join(',')}; the next run with this spool sends them\n`);
  exitCode = 75;
}
finished();
process.exit(exitCode);
