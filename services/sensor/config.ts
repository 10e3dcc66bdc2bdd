import { hostname } from 'node:os';
import { Type } from '@sinclair/typebox';
import { brokerList, commonSettings, loadConfig } from '../common/config.ts';
import type { Env } from '../common/config.ts';
import type { LogLevel } from '../common/logger.ts';
import { SCENARIOS } from './simulator.ts';
import type { Scenario } from './simulator.ts';

export const sensorSettings = Type.Object({
  ...commonSettings,
  PORTENT_SENSOR_ID: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Defaults to the host name' })),
  PORTENT_SENSOR_SCENARIO: Type.Union(Object.keys(SCENARIOS).map((s) => Type.Literal(s)), { default: 'demo' }),
  PORTENT_SENSOR_SEED: Type.Integer({ default: 1 }),
  PORTENT_SENSOR_SPEED: Type.Number({ default: 60, minimum: 0, description: 'Scenario seconds per wall second; 0 = as fast as possible' }),
  PORTENT_SENSOR_START: Type.Optional(Type.String({ format: 'date-time', description: 'Event time of scenario minute 0; default: so that the scenario ends now' })),
  PORTENT_SENSOR_BATCH_EVENTS: Type.Integer({ default: 500, minimum: 1, maximum: 100_000 }),
});

export interface SensorConfig {
  readonly brokers: readonly string[];
  readonly topicPrefix: string;
  readonly logLevel: LogLevel;
  readonly sensorId: string;
  readonly scenario: Scenario;
  readonly seed: number;
  readonly speed: number;
  readonly startMs: number;
  readonly batchEvents: number;
}

export function loadSensorConfig(env: Env, nowMs: number): SensorConfig {
  const c = loadConfig(sensorSettings, env, ['PORTENT_SENSOR_']);
  const scenario = SCENARIOS[c.PORTENT_SENSOR_SCENARIO];
  if (scenario === undefined) throw new Error(`unknown scenario ${c.PORTENT_SENSOR_SCENARIO}`);
  const defaultStart = Math.floor((nowMs - scenario.minutes * 60_000) / 60_000) * 60_000;
  return Object.freeze({
    brokers: brokerList(c.KAFKA_BROKERS),
    topicPrefix: c.PORTENT_TOPIC_PREFIX,
    logLevel: c.PORTENT_LOG_LEVEL,
    sensorId: c.PORTENT_SENSOR_ID ?? hostname(),
    scenario,
    seed: c.PORTENT_SENSOR_SEED,
    speed: c.PORTENT_SENSOR_SPEED,
    startMs: c.PORTENT_SENSOR_START === undefined ? defaultStart : Date.parse(c.PORTENT_SENSOR_START),
    batchEvents: c.PORTENT_SENSOR_BATCH_EVENTS,
  });
}
