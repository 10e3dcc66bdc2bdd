/**
 * What an operator sees when Kafka cannot be used, for each service as a real
 * process: one line that names the brokers and the cause, no stack trace
 * (unless the log level is debug), and a non-zero exit: at once when the
 * credentials are refused, after KAFKA_STARTUP_TIMEOUT_MS when nothing
 * answers. The sensor spools instead, says so, and exits 75 with the events
 * still in its spool. Unreachable: 127.0.0.1:1, where nothing listens. Refused:
 * a local broker with SASL, given a wrong password.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalBroker } from '../../../tools/local-kafka/broker.ts';
import type { LocalBroker } from '../../../tools/local-kafka/broker.ts';
import { testDir } from '../../support/temp-dir.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const UNREACHABLE = '127.0.0.1:1';
const USER = 'portent-failures';

type Service = 'sensor' | 'detector' | 'alerter';

/** What each service needs besides Kafka to start: the alerter its API, the sensor a small input and a spool. */
function serviceEnv(name: Service): Record<string, string> {
  if (name === 'alerter') return { PORTENT_ALERTER_HTTP_HOST: '127.0.0.1', PORTENT_ALERTER_HTTP_PORT: '0', PORTENT_ALERTER_API_TOKENS: 'failure-test-token-0123456789' };
  if (name === 'sensor') {
    return { PORTENT_SENSOR_INPUT: 'zeek', PORTENT_SENSOR_FILE: join(ROOT, 'test', 'fixtures', 'sensor', 'zeek-conn.log'), PORTENT_SENSOR_SPOOL_DIR: join(testDir('failures-spool'), 'spool'), PORTENT_SENSOR_FLUSH_GRACE_MS: '0' };
  }
  return {};
}

interface Run {
  readonly code: number | null;
  readonly lines: readonly string[];
  /** The log lines at error level or above (pino: 50 error, 60 fatal). */
  readonly errors: readonly { msg: string; err?: { stack?: string } }[];
}

async function run(name: Service, env: Record<string, string>): Promise<Run> {
  const child = spawn(process.execPath, [join(ROOT, 'services', name, 'main.ts')], {
    env: { ...process.env, KAFKA_STARTUP_TIMEOUT_MS: '2000', ...serviceEnv(name), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const lines = out.split('\n').filter((l) => l !== '');
  const errors = lines.flatMap((l) => {
    if (!l.startsWith('{')) return [];
    const entry = JSON.parse(l) as { level: number; msg: string; err?: { stack?: string } };
    return entry.level >= 50 ? [entry] : [];
  });
  return { code, lines, errors };
}

function expectNoStack(r: Run): void {
  expect(r.lines.filter((l) => /^\s+at /.test(l) || l.includes('"stack"'))).toEqual([]);
}

describe('a service that cannot use Kafka', () => {
  let broker: LocalBroker | undefined;
  beforeAll(async () => {
    broker = await startLocalBroker({ sasl: { users: [{ username: USER, password: 'the-right-password' }] } });
  });
  afterAll(async () => {
    await broker?.stop();
  });
  // A refusal ends start-up at once; the long timeout leaves a busy broker's SCRAM exchange time to answer.
  const refusedEnv = (): Record<string, string> => ({
    KAFKA_STARTUP_TIMEOUT_MS: '60000',
    KAFKA_BROKERS: (broker?.saslBrokers ?? []).join(','),
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: USER,
    KAFKA_SASL_PASSWORD: 'a-wrong-password',
  });

  it.each(['detector', 'alerter'] as const)('the %s says once that Kafka is unreachable, and exits 1 after the start-up timeout', async (name) => {
    const r = await run(name, { KAFKA_BROKERS: UNREACHABLE });
    expect(r.code).toBe(1);
    expect(r.errors.map((e) => e.msg)).toEqual([`${name} cannot start: Kafka at ${UNREACHABLE} not reachable within 2 s: connect ECONNREFUSED ${UNREACHABLE}`]);
    expectNoStack(r);
  });

  it.each(['detector', 'alerter'] as const)('the %s says once that Kafka refused its credentials, and exits 1', async (name) => {
    const env = refusedEnv();
    const r = await run(name, env);
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.msg).toContain(`${name} cannot start: Kafka at ${env['KAFKA_BROKERS'] ?? ''} refused user ${USER} (SASL scram-sha-512): `);
    expect(r.errors[0]?.msg).toMatch(/invalid credentials/);
    expectNoStack(r);
  });

  it('the detector shows the stack and the causes at log level debug', async () => {
    const r = await run('detector', { KAFKA_BROKERS: UNREACHABLE, PORTENT_LOG_LEVEL: 'debug' });
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.err?.stack).toContain('reach.ts');
  });

  it('the sensor says once that it spools to disk, and exits 75 with the events still spooled', async () => {
    const r = await run('sensor', { KAFKA_BROKERS: UNREACHABLE });
    expect(r.code).toBe(75);
    const spooling = r.lines.filter((l) => l.includes('spooling to'));
    expect(spooling).toHaveLength(1);
    expect(spooling[0]).toContain(`until Kafka is back: Kafka at ${UNREACHABLE} unreachable: connect ECONNREFUSED ${UNREACHABLE}`);
    expect(r.lines.filter((l) => l.startsWith('6 events wait in the spool '))).toEqual([expect.stringMatching(new RegExp(`for Kafka at ${UNREACHABLE}; the next run with this spool sends them$`))]);
    expect(r.errors).toEqual([]);
    expectNoStack(r);
  });

  it('the sensor says once that Kafka refused its credentials, and exits 1 instead of spooling', async () => {
    const env = refusedEnv();
    const r = await run('sensor', env);
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.msg).toContain(`sensor cannot send: Kafka at ${env['KAFKA_BROKERS'] ?? ''} refused user ${USER} (SASL scram-sha-512): `);
    expect(r.lines.filter((l) => l.includes('spooling to'))).toEqual([]);
    expectNoStack(r);
  });
});
