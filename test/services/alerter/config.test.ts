import { describe, expect, it } from 'vitest';
import { loadAlerterConfig } from '../../../services/alerter/config.ts';
import { isPortentError } from '../../../services/common/errors.ts';

const TOKENS = 'aaaaaaaaaaaaaaaa1, bbbbbbbbbbbbbbbb2';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadAlerterConfig(env);
  } catch (err) {
    if (isPortentError(err) && err.code === 'PORTENT_ERR_CONFIG_INVALID') return err.fields['problems'] as string[];
    throw err;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadAlerterConfig', () => {
  it('fills in defaults and parses the lists once', () => {
    const config = loadAlerterConfig({ PORTENT_ALERTER_API_TOKENS: TOKENS });
    expect(config).toEqual({
      brokers: ['127.0.0.1:9092'],
      kafkaSecurity: {},
      telemetry: { tracesEndpoint: undefined, sampleRatio: 0.01 },
      topicPrefix: 'portent.',
      logLevel: 'info',
      http: { host: '0.0.0.0', port: 8080 },
      apiTokens: ['aaaaaaaaaaaaaaaa1', 'bbbbbbbbbbbbbbbb2'],
      groupId: 'portent-alerter',
      sessionTimeoutMs: 30_000,
      kafkaStartupTimeoutMs: 60_000,
      delivery: { timeoutMs: 10_000, retrySchedule: [1_000, 5_000, 30_000], maxResponseBytes: 65_536 },
      pacing: { allowedCidrs: [], concurrency: 4, ratePerSecond: 50, disableAfterMs: 5 * 86_400_000, maxAlertAgeMs: 86_400_000 },
    });
  });

  it('coerces numbers and reads every duration unit', () => {
    const config = loadAlerterConfig({
      PORTENT_ALERTER_API_TOKENS: TOKENS,
      PORTENT_ALERTER_HTTP_PORT: '9000',
      PORTENT_ALERTER_RETRY_SCHEDULE: '500ms, 5s,5m,2h',
      KAFKA_BROKERS: 'k1:9092,k2:9093',
    });
    expect(config.http.port).toBe(9000);
    expect(config.delivery.retrySchedule).toEqual([500, 5_000, 300_000, 7_200_000]);
    expect(config.brokers).toEqual(['k1:9092', 'k2:9093']);
  });

  it('takes an empty retry schedule as "no retries"', () => {
    expect(loadAlerterConfig({ PORTENT_ALERTER_API_TOKENS: TOKENS, PORTENT_ALERTER_RETRY_SCHEDULE: '' }).delivery.retrySchedule).toEqual([]);
  });

  it('requires API tokens: there is no anonymous mode', () => {
    expect(problemsOf({})).toEqual([expect.stringContaining('PORTENT_ALERTER_API_TOKENS')]);
  });

  it('rejects a token shorter than 16 characters without echoing it', () => {
    const problems = problemsOf({ PORTENT_ALERTER_API_TOKENS: 'aaaaaaaaaaaaaaaa1,short-secret' });
    expect(problems).toEqual([expect.stringContaining('PORTENT_ALERTER_API_TOKENS')]);
    expect(problems.join()).not.toContain('short-secret');
  });

  it('names the retry schedule key when a duration is unreadable, together with other problems', () => {
    const problems = problemsOf({
      PORTENT_ALERTER_API_TOKENS: TOKENS,
      PORTENT_ALERTER_RETRY_SCHEDULE: '1s,30',
      PORTENT_ALERTER_HTTP_PORT: '70000',
      PORTENT_ALERTER_RETRY_SCHEDUEL: '1s',
    });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/PORTENT_ALERTER_RETRY_SCHEDULE: /);
    expect(problems.join('\n')).toMatch(/PORTENT_ALERTER_HTTP_PORT: /);
    expect(problems.join('\n')).toMatch(/PORTENT_ALERTER_RETRY_SCHEDUEL: unknown setting/);
  });

  it('rejects a scoped token whose secret part is shorter than 16 characters', () => {
    expect(problemsOf({ PORTENT_ALERTER_API_TOKENS: 'read:short-one-123' })).toEqual([expect.stringContaining('after its prefix')]);
  });

  it('rejects an allow-list entry that is not a CIDR', () => {
    expect(problemsOf({ PORTENT_ALERTER_API_TOKENS: TOKENS, PORTENT_ALERTER_ALLOWED_CIDRS: '127.0.0.1/33' })).toEqual([expect.stringContaining('PORTENT_ALERTER_ALLOWED_CIDRS')]);
    expect(loadAlerterConfig({ PORTENT_ALERTER_API_TOKENS: TOKENS, PORTENT_ALERTER_ALLOWED_CIDRS: '127.0.0.1/32, ::1' }).pacing.allowedCidrs).toEqual(['127.0.0.1/32', '::1']);
  });

  it('returns a deeply frozen object', () => {
    const config = loadAlerterConfig({ PORTENT_ALERTER_API_TOKENS: TOKENS });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.delivery)).toBe(true);
    expect(Object.isFrozen(config.delivery.retrySchedule)).toBe(true);
    expect(Object.isFrozen(config.apiTokens)).toBe(true);
  });
});
