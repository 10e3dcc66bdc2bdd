import { isIP } from 'node:net';
import { Type } from '@sinclair/typebox';
import { commonConfig, commonSettings, kafkaStartupSettings, loadConfig } from '../common/config.ts';
import type { CommonConfig, Env } from '../common/config.ts';
import { CommonErrorCodes, PortentError } from '../common/errors.ts';
import { DURATION_LIST_PATTERN, parseDurationList } from './duration.ts';
import { parseToken } from '../common/scoped-tokens.ts';

/** Every variable the alerter reads. Unknown PORTENT_ALERTER_* variables are rejected. */
export const alerterSettings = Type.Object({
  ...commonSettings,
  ...kafkaStartupSettings,
  PORTENT_ALERTER_HTTP_HOST: Type.String({ default: '0.0.0.0', minLength: 1, description: '0.0.0.0 so probes reach the pod' }),
  PORTENT_ALERTER_HTTP_PORT: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
  // Required, no default: the subscription API manages secrets, so there is no anonymous mode.
  // The pattern (one or more comma-separated tokens of >= 16 visible ASCII characters) keeps
  // the check inside the schema, so it is reported together with every other problem and its
  // message never echoes a token.
  PORTENT_ALERTER_API_TOKENS: Type.String({
    pattern: '^\\s*[\\x21-\\x2b\\x2d-\\x7e]{16,}\\s*(,\\s*[\\x21-\\x2b\\x2d-\\x7e]{16,}\\s*)*$',
    description: 'Comma-separated bearer tokens, each at least 16 characters',
  }),
  PORTENT_ALERTER_GROUP_ID: Type.String({ default: 'portent-alerter', minLength: 1 }),
  // 6 s is the broker's default group.min.session.timeout.ms.
  PORTENT_ALERTER_SESSION_TIMEOUT_MS: Type.Integer({ default: 30_000, minimum: 6000, maximum: 300_000, description: 'how long the groups wait for a silent member' }),
  PORTENT_ALERTER_DELIVERY_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 1, maximum: 600_000 }),
  PORTENT_ALERTER_RETRY_SCHEDULE: Type.String({
    default: '1s,5s,30s',
    pattern: DURATION_LIST_PATTERN,
    description: 'Delays before each retry, e.g. 1s,5s,30s (units ms, s, m, h, d); empty = no retries',
  }),
  PORTENT_ALERTER_MAX_RESPONSE_BYTES: Type.Integer({ default: 65_536, minimum: 0, maximum: 16 * 1024 * 1024 }),
  PORTENT_ALERTER_ALLOWED_CIDRS: Type.String({
    default: '',
    pattern: '^\\s*([0-9A-Fa-f:.]+(/\\d{1,3})?\\s*(,\\s*[0-9A-Fa-f:.]+(/\\d{1,3})?\\s*)*)?$',
    description: 'CIDRs the SSRF guard admits although private/loopback/link-local, e.g. 127.0.0.1/32,10.20.0.0/16',
  }),
  PORTENT_ALERTER_SUBSCRIPTION_CONCURRENCY: Type.Integer({ default: 4, minimum: 1, maximum: 256 }),
  PORTENT_ALERTER_SUBSCRIPTION_RATE: Type.Number({ default: 50, exclusiveMinimum: 0, maximum: 100_000, description: 'attempts per second per subscription' }),
  PORTENT_ALERTER_DISABLE_AFTER: Type.String({ default: '5d', pattern: DURATION_LIST_PATTERN, description: 'sustained failure before a subscription is disabled' }),
  PORTENT_ALERTER_MAX_ALERT_AGE: Type.String({ default: '1d', pattern: DURATION_LIST_PATTERN, description: 'alert records older than this (by Kafka timestamp) are not delivered' }),
});

export interface DeliverySettings {
  readonly timeoutMs: number;
  /** Delay before retry n (ms); its length is the number of retries after the first attempt. */
  readonly retrySchedule: readonly number[];
  readonly maxResponseBytes: number;
}

export interface PacingSettings {
  readonly allowedCidrs: readonly string[];
  readonly concurrency: number;
  readonly ratePerSecond: number;
  readonly disableAfterMs: number;
  /** A record appended longer ago than this is skipped: a new consumer group must not replay weeks of alerts. */
  readonly maxAlertAgeMs: number;
}

export interface AlerterConfig extends CommonConfig {
  readonly http: { readonly host: string; readonly port: number };
  readonly apiTokens: readonly string[];
  readonly groupId: string;
  /** Session timeout of the alert and retry consumer groups. */
  readonly sessionTimeoutMs: number;
  /** How long to try to reach Kafka at start (common/kafka/reach.ts). */
  readonly kafkaStartupTimeoutMs: number;
  readonly delivery: DeliverySettings;
  readonly pacing: PacingSettings;
}

/** Reads and validates the environment once; the result is deeply frozen. */
export function loadAlerterConfig(env: Env): AlerterConfig {
  const raw = loadConfig(alerterSettings, env, ['PORTENT_ALERTER_']);
  const retrySchedule = parseDurationList(raw.PORTENT_ALERTER_RETRY_SCHEDULE);
  // The schema pattern already rejects this; the check keeps the type honest.
  if (retrySchedule === undefined) throw invalid('PORTENT_ALERTER_RETRY_SCHEDULE', 'not a list of durations');
  const [disableAfter] = parseDurationList(raw.PORTENT_ALERTER_DISABLE_AFTER) ?? [];
  if (disableAfter === undefined) throw invalid('PORTENT_ALERTER_DISABLE_AFTER', 'must be one duration');
  const [maxAge] = parseDurationList(raw.PORTENT_ALERTER_MAX_ALERT_AGE) ?? [];
  if (maxAge === undefined) throw invalid('PORTENT_ALERTER_MAX_ALERT_AGE', 'must be one duration');
  const badCidr = raw.PORTENT_ALERTER_ALLOWED_CIDRS.split(',').map((c) => c.trim()).filter((c) => c !== '').find((c) => !validCidr(c));
  if (badCidr !== undefined) throw invalid('PORTENT_ALERTER_ALLOWED_CIDRS', `${badCidr} is not an IP address or CIDR`);
  const badToken = raw.PORTENT_ALERTER_API_TOKENS.split(',').map((e) => parseToken(e.trim())).some((t) => t.token.length < 16);
  if (badToken) throw invalid('PORTENT_ALERTER_API_TOKENS', 'a scoped token (read:, write:, admin:) needs at least 16 characters after its prefix');
  return deepFreeze({
    ...commonConfig(raw),
    kafkaStartupTimeoutMs: raw.KAFKA_STARTUP_TIMEOUT_MS,
    http: { host: raw.PORTENT_ALERTER_HTTP_HOST, port: raw.PORTENT_ALERTER_HTTP_PORT },
    apiTokens: [...new Set(raw.PORTENT_ALERTER_API_TOKENS.split(',').map((t) => t.trim()))],
    groupId: raw.PORTENT_ALERTER_GROUP_ID,
    sessionTimeoutMs: raw.PORTENT_ALERTER_SESSION_TIMEOUT_MS,
    delivery: {
      timeoutMs: raw.PORTENT_ALERTER_DELIVERY_TIMEOUT_MS,
      retrySchedule,
      maxResponseBytes: raw.PORTENT_ALERTER_MAX_RESPONSE_BYTES,
    },
    pacing: {
      allowedCidrs: raw.PORTENT_ALERTER_ALLOWED_CIDRS.split(',').map((c) => c.trim()).filter((c) => c !== ''),
      concurrency: raw.PORTENT_ALERTER_SUBSCRIPTION_CONCURRENCY,
      ratePerSecond: raw.PORTENT_ALERTER_SUBSCRIPTION_RATE,
      disableAfterMs: disableAfter,
      maxAlertAgeMs: maxAge,
    },
  });
}

function validCidr(cidr: string): boolean {
  const [ip = '', bits] = cidr.split('/');
  const family = isIP(ip);
  if (family === 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
}

function invalid(key: string, problem: string): PortentError {
  const problems = [`${key}: ${problem}`];
  return new PortentError(CommonErrorCodes.CONFIG_INVALID, `invalid configuration:\n  ${problems.join('\n  ')}`, { fields: { problems } });
}

function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value)) if (typeof v === 'object' && v !== null) deepFreeze(v);
  return Object.freeze(value);
}
