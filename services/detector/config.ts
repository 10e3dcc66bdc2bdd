import { Type } from '@sinclair/typebox';
import { commonConfig, commonSettings, kafkaStartupSettings, loadConfig } from '../common/config.ts';
import type { CommonConfig, Env } from '../common/config.ts';
import type { DetectorOptions } from './detector.ts';

/** Every setting of the detector; the README's configuration table lists the same. */
export const detectorSettings = Type.Object({
  ...commonSettings,
  ...kafkaStartupSettings,
  PORTENT_DETECTOR_GROUP_ID: Type.String({ default: 'portent-detector', minLength: 1 }),
  PORTENT_DETECTOR_WINDOW_SECONDS: Type.Integer({ default: 60, minimum: 1, maximum: 3600 }),
  PORTENT_DETECTOR_ALLOWED_LATENESS_SECONDS: Type.Integer({ default: 10, minimum: 0, maximum: 3600 }),
  PORTENT_DETECTOR_SURGE_FACTOR: Type.Number({ default: 3, exclusiveMinimum: 1 }),
  PORTENT_DETECTOR_MIN_SOURCES: Type.Integer({ default: 20, minimum: 1 }),
  PORTENT_DETECTOR_WARMUP_WINDOWS: Type.Integer({ default: 5, minimum: 1 }),
  PORTENT_DETECTOR_BASELINE_WINDOWS: Type.Integer({ default: 60, minimum: 3, maximum: 10080 }),
  PORTENT_DETECTOR_MAD_K: Type.Number({ default: 6, minimum: 0 }),
  PORTENT_DETECTOR_UPDATE_MIN_WINDOWS: Type.Integer({ default: 3, minimum: 1 }),
  PORTENT_DETECTOR_SPIKE_MAX_WINDOWS: Type.Integer({ default: 15, minimum: 2 }),
  // Worm-risk hysteresis (risk-watch.ts): a level is lowered only after this many windows under it.
  PORTENT_DETECTOR_RISK_HOLD_WINDOWS: Type.Integer({ default: 10, minimum: 1, maximum: 1440 }),
  PORTENT_DETECTOR_HLL_PRECISION: Type.Integer({ default: 14, minimum: 8, maximum: 16 }),
  PORTENT_DETECTOR_SCANNER_DESTINATIONS: Type.Integer({ default: 20, minimum: 2 }),
  PORTENT_DETECTOR_MAX_TRACKED_SOURCES: Type.Integer({ default: 4096, minimum: 1 }),
  PORTENT_DETECTOR_BLOOM_BITS: Type.Integer({ default: 26, minimum: 16, maximum: 32 }),
  PORTENT_DETECTOR_ADVISORY_RECENT_DAYS: Type.Integer({ default: 90, minimum: 1 }),
  PORTENT_DETECTOR_SESSION_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 6000, maximum: 300_000 }),
  // How often each partition's state is written to the changelog; 0 = after every fetched batch.
  PORTENT_DETECTOR_CHECKPOINT_INTERVAL_MS: Type.Integer({ default: 5000, minimum: 0, maximum: 300_000 }),
  // How often each partition's Bloom filters (MiBs) are written whole to the changelog; every checkpoint in between carries
  // the blocks changed since the previous one. 0 = whole with every checkpoint.
  PORTENT_DETECTOR_BLOOM_SNAPSHOT_INTERVAL_MS: Type.Integer({ default: 300_000, minimum: 0, maximum: 3_600_000 }),
  PORTENT_DETECTOR_RESOLVE_AFTER_WINDOWS: Type.Integer({ default: 2, minimum: 1 }),
  PORTENT_DETECTOR_TOP_SOURCES: Type.Integer({ default: 5, minimum: 0, maximum: 100 }),
  // Hot ports (hot-ports.ts): how often a sub-key's open partial windows go to the merging instance; 0 = after every fetch.
  PORTENT_DETECTOR_PARTIAL_INTERVAL_MS: Type.Integer({ default: 2000, minimum: 0, maximum: 60_000 }),
  // Unset: no probe server (a local run opens no port it was not asked for); the manifests set 8081.
  PORTENT_DETECTOR_HEALTH_PORT: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'Port of /healthz and /readyz; 0 = any free port' })),
});

export interface DetectorConfig extends CommonConfig {
  readonly groupId: string;
  readonly detector: DetectorOptions;
  /** Port of the probe server (services/common/health-server.ts); undefined = none. */
  readonly healthPort: number | undefined;
  readonly sessionTimeoutMs: number;
  readonly checkpointIntervalMs: number;
  /** Least time between two full Bloom snapshots of a partition (stream/bloom-checkpoint.ts); 0 = with every checkpoint. */
  readonly bloomSnapshotIntervalMs: number;
  /** How long to try to reach Kafka at start (common/kafka/reach.ts). */
  readonly kafkaStartupTimeoutMs: number;
}

/** What the Kafka edge (stream/) needs of the configuration. */
export type DetectorStreamConfig = Pick<DetectorConfig, 'groupId' | 'detector' | 'sessionTimeoutMs' | 'checkpointIntervalMs' | 'bloomSnapshotIntervalMs'>;

export function loadDetectorConfig(env: Env): DetectorConfig {
  const c = loadConfig(detectorSettings, env, ['PORTENT_DETECTOR_']);
  return Object.freeze({
    ...commonConfig(c),
    kafkaStartupTimeoutMs: c.KAFKA_STARTUP_TIMEOUT_MS,
    groupId: c.PORTENT_DETECTOR_GROUP_ID,
    healthPort: c.PORTENT_DETECTOR_HEALTH_PORT,
    sessionTimeoutMs: c.PORTENT_DETECTOR_SESSION_TIMEOUT_MS,
    checkpointIntervalMs: c.PORTENT_DETECTOR_CHECKPOINT_INTERVAL_MS,
    bloomSnapshotIntervalMs: c.PORTENT_DETECTOR_BLOOM_SNAPSHOT_INTERVAL_MS,
    detector: Object.freeze({
      windowMs: c.PORTENT_DETECTOR_WINDOW_SECONDS * 1000,
      allowedLatenessMs: c.PORTENT_DETECTOR_ALLOWED_LATENESS_SECONDS * 1000,
      factor: c.PORTENT_DETECTOR_SURGE_FACTOR,
      minSources: c.PORTENT_DETECTOR_MIN_SOURCES,
      warmupWindows: c.PORTENT_DETECTOR_WARMUP_WINDOWS,
      madK: c.PORTENT_DETECTOR_MAD_K,
      baselineWindows: c.PORTENT_DETECTOR_BASELINE_WINDOWS,
      updateMinWindows: c.PORTENT_DETECTOR_UPDATE_MIN_WINDOWS,
      spikeMaxWindows: c.PORTENT_DETECTOR_SPIKE_MAX_WINDOWS,
      riskHoldWindows: c.PORTENT_DETECTOR_RISK_HOLD_WINDOWS,
      hllPrecision: c.PORTENT_DETECTOR_HLL_PRECISION,
      scannerDestinations: c.PORTENT_DETECTOR_SCANNER_DESTINATIONS,
      maxTracked: c.PORTENT_DETECTOR_MAX_TRACKED_SOURCES,
      destinationCap: 1024,
      bloomBits: c.PORTENT_DETECTOR_BLOOM_BITS,
      advisoryRecentDays: c.PORTENT_DETECTOR_ADVISORY_RECENT_DAYS,
      resolveAfterWindows: c.PORTENT_DETECTOR_RESOLVE_AFTER_WINDOWS,
      topSources: c.PORTENT_DETECTOR_TOP_SOURCES,
      partialIntervalMs: c.PORTENT_DETECTOR_PARTIAL_INTERVAL_MS,
    }),
  });
}
