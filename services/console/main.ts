/**
 * The console process: wiring only. `node services/console/main.ts`
 *
 * config -> logger -> store (SQLite file) -> HTTP server listening (live,
 * not ready) -> Kafka followed into the store -> ready once caught up.
 * Retention runs every minute.
 */
import { systemClock } from '../common/clock.ts';
import { isPortentError } from '../common/errors.ts';
import { topicNames } from '../common/kafka/topics.ts';
import { KafkaTransport } from '../common/kafka/transport.ts';
import { configOrExit, exitOnFatal, onShutdown } from '../common/lifecycle.ts';
import { createLogger } from '../common/logger.ts';
import { startTelemetry } from '../common/telemetry/sdk.ts';
import { buildConsoleApp } from './app.ts';
import { loadConsoleConfig } from './config.ts';
import { followTopics } from './kafka/follow.ts';
import type { Follower } from './kafka/follow.ts';
import { LiveFeed } from './live.ts';
import { Materialiser } from './materialiser.ts';
import { AlertStore } from './store/alerts.ts';
import { openDatabase } from './store/database.ts';
import { OffsetStore } from './store/offsets.ts';
import { PortStatsStore } from './store/port-stats.ts';
import { pruneExpired } from './store/retention.ts';
import { WebAssets } from './web-bundle.ts';

const config = configOrExit(() => loadConsoleConfig(process.env));
const logger = createLogger('console', config.logLevel);
const telemetry = startTelemetry({ service: 'portent-console', ...config.telemetry });
const topics = topicNames(config.topicPrefix);
const transport = new KafkaTransport({ brokers: config.brokers, clientId: 'portent-console', logger, security: config.kafkaSecurity, onFatal: exitOnFatal(logger) });
const db = openDatabase(config.dbPath);
const stores = { portStats: new PortStatsStore(db), alerts: new AlertStore(db) };
const live = new LiveFeed();
const now = systemClock;
let follower: Follower | undefined;
let stopping = false as boolean;

const app = buildConsoleApp({
  apiTokens: config.apiTokens,
  ...stores,
  live,
  web: new WebAssets(),
  logger,
  alerterUrl: config.alerterUrl,
  now,
  readiness: { store: () => follower?.isCaughtUp() === true },
  metrics: telemetry.serveMetrics,
});
const pruner = setInterval(() => {
  const pruned = pruneExpired(stores, now(), config.retentionMs);
  if (pruned.windows + pruned.alertStates > 0) logger.debug(pruned, 'retention pruned');
}, 60_000);
pruner.unref();

onShutdown(logger, async () => {
  stopping = true;
  clearInterval(pruner);
  await app.close();
  await follower?.close();
  db.close();
  await telemetry.shutdown();
  logger.info('console stopped');
});

try {
  pruneExpired(stores, now(), config.retentionMs);
  const address = await app.listen({ host: config.http.host, port: config.http.port });
  logger.info({ address, store: config.dbPath }, 'console listening');
  const materialiser = new Materialiser({
    db,
    topics,
    ...stores,
    offsets: new OffsetStore(db),
    live,
    retentionMs: config.retentionMs,
    now,
    onBadRecord: (r, err) => {
      logger.warn({ topic: r.topic, partition: r.partition, offset: r.offset, code: isPortentError(err) ? err.code : 'unexpected' }, 'unreadable record skipped');
    },
  });
  follower = await followTopics({ transport, topics: [topics.portStats, topics.alerts], groupId: config.groupId, materialiser, logger });
  await follower.caughtUp;
  logger.info('console caught up with Kafka');
} catch (err) {
  if (!stopping) {
    logger.fatal({ err }, 'console failed to start');
    process.exit(1);
  }
}
