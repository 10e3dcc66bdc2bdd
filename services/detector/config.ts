import { Type } from '@sinclair/typebox';
import { brokerList, commonSettings, loadConfig } from '../common/config.ts';
import type { Env } from '../common/config.ts';
import type { LogLevel } from '../common/logger.ts';
import type { DetectorOptions } from './detector.ts';

/** Every setting of the detector; the README's configuration table lists the same. */
export const detectorSettings = Type.Object({
  ...commonSettings,
  PORTENT_DETECTOR_GROUP_ID: Type.String({ default: 'portent-detector', minLength: 1 }),
  PORTENT_DETECTOR_WINDOW_SECONDS: Type.Integer({ default: 60, minimum: 1, maximum: 3600 }),
  PORTENT_DETECTOR_ALLOWED_LATENESS_SECONDS: Type.Integer({ default: 10, minimum: 0, maximum: 3600 }),
  PORTENT_DETECTOR_SURGE_FACTOR: Type.Number({ default: 3, exclusiveMinimum: 1 }),
  PORTENT_DETECTOR_MIN_SOURCES: Type.Integer({ default: 20, minimum: 1 }),
  PORTENT_DETECTOR_WARMUP_WINDOWS: Type.Integer({ default: 5, minimum: 1 }),
  PORTENT_DETECTOR_BASELINE_ALPHA: Type.Number({ default: 0.1, exclusiveMinimum: 0, maximum: 1 }),
  PORTENT_DETECTOR_RESOLVE_AFTER_WINDOWS: Type.Integer({ default: 2, minimum: 1 }),
  PORTENT_DETECTOR_TOP_SOURCES: Type.Integer({ default: 5, minimum: 0, maximum: 100 }),
});

export interface DetectorConfig {
  readonly brokers: readonly string[];
  readonly topicPrefix: string;
  readonly logLevel: LogLevel;
  readonly groupId: string;
  readonly detector: DetectorOptions;
}

export function loadDetectorConfig(env: Env): DetectorConfig {
  const c = loadConfig(detectorSettings, env, ['PORTENT_DETECTOR_']);
  return Object.freeze({
    brokers: brokerList(c.KAFKA_BROKERS),
    topicPrefix: c.PORTENT_TOPIC_PREFIX,
    logLevel: c.PORTENT_LOG_LEVEL,
    groupId: c.PORTENT_DETECTOR_GROUP_ID,
    detector: Object.freeze({
      windowMs: c.PORTENT_DETECTOR_WINDOW_SECONDS * 1000,
      allowedLatenessMs: c.PORTENT_DETECTOR_ALLOWED_LATENESS_SECONDS * 1000,
      factor: c.PORTENT_DETECTOR_SURGE_FACTOR,
      minSources: c.PORTENT_DETECTOR_MIN_SOURCES,
      warmupWindows: c.PORTENT_DETECTOR_WARMUP_WINDOWS,
      alpha: c.PORTENT_DETECTOR_BASELINE_ALPHA,
      resolveAfterWindows: c.PORTENT_DETECTOR_RESOLVE_AFTER_WINDOWS,
      topSources: c.PORTENT_DETECTOR_TOP_SOURCES,
    }),
  });
}
