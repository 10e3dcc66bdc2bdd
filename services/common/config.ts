import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import { Type } from '@sinclair/typebox';
import type { Static, TObject } from '@sinclair/typebox';
import { CommonErrorCodes, PortentError } from './errors.ts';
import { kafkaSecurity, kafkaSecuritySettings } from './kafka/security.ts';
import type { KafkaSecurity, KafkaSecurityValues } from './kafka/security.ts';
import { LOG_LEVELS } from './logger.ts';
import type { LogLevel } from './logger.ts';
import { telemetryConfig, telemetrySettings } from './telemetry/sdk.ts';
import type { TelemetryConfig } from './telemetry/sdk.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the settings a service declares in `schema` from the environment,
 * once, at start-up.
 *
 * - Values are coerced from strings ("5" -> 5, "true" -> true) and defaults
 *   from the schema are filled in.
 * - Any variable that starts with one of `ownPrefixes` but is not in the
 *   schema is rejected, so a typo such as PORTENT_DETECTOR_SURGE_FACTR fails
 *   loudly instead of being ignored.
 * - Every problem is reported together in one error.
 * - The result is frozen.
 */
export function loadConfig<S extends TObject>(schema: S, env: Env, ownPrefixes: readonly string[]): Readonly<Static<S>> {
  const known = new Set(Object.keys(schema.properties));
  const problems: string[] = [];
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (known.has(key)) raw[key] = value;
    else if (ownPrefixes.some((p) => key.startsWith(p))) problems.push(`${key}: unknown setting`);
  }
  const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false, verbose: true });
  formats.default(ajv);
  const validate = ajv.compile<Static<S>>(schema);
  if (!validate(raw)) {
    for (const e of validate.errors ?? []) {
      const key = e.instancePath.replace(/^\//, '') || String(e.params['missingProperty'] ?? '');
      // A raw regular expression helps nobody: say what the setting should look like.
      const described = e.keyword === 'pattern' ? (e.parentSchema as { description?: string } | undefined)?.description : undefined;
      problems.push(`${key}: ${described === undefined ? (e.message ?? 'invalid') : `invalid, expected ${described}`}`);
    }
  }
  if (problems.length > 0) {
    throw new PortentError(CommonErrorCodes.CONFIG_INVALID, `invalid configuration:\n  ${problems.join('\n  ')}`, {
      fields: { problems },
    });
  }
  return Object.freeze(raw as Static<S>);
}

/** `KAFKA_BROKERS=host:port,host:port` as a list. */
export function brokerList(value: string): string[] {
  return value.split(',').map((b) => b.trim()).filter((b) => b.length > 0);
}

/** Settings every service reads. */
export const commonSettings = {
  KAFKA_BROKERS: Type.String({
    default: '127.0.0.1:9092',
    pattern: '^[^,:\\s]+:\\d{1,5}(,[^,:\\s]+:\\d{1,5})*$',
    description: 'host:port[,host:port...] (bootstrap brokers)',
  }),
  PORTENT_TOPIC_PREFIX: Type.String({ default: 'portent.', pattern: '^[a-zA-Z0-9._-]*$', description: 'Prefix of every topic name' }),
  PORTENT_LOG_LEVEL: Type.Union(LOG_LEVELS.map((l) => Type.Literal(l)), { default: 'info' }),
  ...kafkaSecuritySettings,
  ...telemetrySettings,
};

/**
 * The start-up bound of the services that cannot work without Kafka (detector,
 * alerter): how long they try to reach it before they exit 1 with one line
 * naming the brokers and the cause (services/common/kafka/reach.ts). The
 * sensor does not wait: it spools to disk while Kafka is away.
 */
export const kafkaStartupSettings = {
  KAFKA_STARTUP_TIMEOUT_MS: Type.Integer({ default: 60_000, minimum: 1000, maximum: 3_600_000, description: 'How long to try to reach Kafka at start before exiting 1' }),
};

/** What every service's config holds, from the settings above. */
export interface CommonConfig {
  readonly brokers: readonly string[];
  readonly kafkaSecurity: KafkaSecurity;
  readonly telemetry: TelemetryConfig;
  readonly topicPrefix: string;
  readonly logLevel: LogLevel;
}

/** The common part of a service's config, from its validated settings (spread into the service's own). */
export function commonConfig(
  raw: KafkaSecurityValues & Parameters<typeof telemetryConfig>[0] & { KAFKA_BROKERS: string; PORTENT_TOPIC_PREFIX: string; PORTENT_LOG_LEVEL: LogLevel },
): CommonConfig {
  return {
    brokers: brokerList(raw.KAFKA_BROKERS),
    kafkaSecurity: kafkaSecurity(raw),
    telemetry: telemetryConfig(raw),
    topicPrefix: raw.PORTENT_TOPIC_PREFIX,
    logLevel: raw.PORTENT_LOG_LEVEL,
  };
}
