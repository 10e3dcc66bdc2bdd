/**
 * The services' Kafka security settings (services/common/kafka/security.ts)
 * against a real broker: a local broker of its own (tools/local-kafka) with a
 * SASL_PLAINTEXT and a SASL_SSL listener, a user with SCRAM and PLAIN
 * credentials, and a CA made here with openssl. Each transport is configured
 * the way a service configures it: from environment variables, through the
 * detector's config loader; and a real detector process gets the settings the
 * Kubernetes manifests give it (deploy/k8s/base/detector.yaml).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { topicNames, topicSpecs } from '../../../../services/common/kafka/topics.ts';
import { KafkaTransport } from '../../../../services/common/kafka/transport.ts';
import { loadDetectorConfig } from '../../../../services/detector/config.ts';
import { startService, waitForHttp } from '../../../../tools/demo/processes.ts';
import { startLocalBroker } from '../../../../tools/local-kafka/broker.ts';
import type { LocalBroker } from '../../../../tools/local-kafka/broker.ts';
import { pickFreePort } from '../../../../tools/local-kafka/config.ts';
import { quietLogger, readUntil, uniqueName } from '../../../support/kafka.ts';

const USER = 'portent-detector';
const PASSWORD = `pw-${uniqueName('s')}`;

/** A CA and a broker certificate for 127.0.0.1 signed by it (P-256 keys: quick to make). */
function makeCa(dir: string): { caFile: string; certificateChain: string; privateKey: string } {
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=portent-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  ssl('req', ...ec, '-keyout', 'broker.key', '-out', 'broker.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'broker.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  ssl('x509', '-req', '-in', 'broker.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'broker.ext', '-out', 'broker.crt');
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  return { caFile: join(dir, 'ca.crt'), certificateChain: read('broker.crt'), privateKey: read('broker.key') };
}

describe('Kafka security settings against a SASL broker', () => {
  let dir = '';
  let caFile = '';
  let broker: LocalBroker | undefined;
  const addresses = (which: 'saslBrokers' | 'saslSslBrokers'): string => (broker?.[which] ?? []).join(',');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portent-sasl-test-'));
    const ca = makeCa(dir);
    caFile = ca.caFile;
    broker = await startLocalBroker({ sasl: { users: [{ username: USER, password: PASSWORD }], tls: { certificateChain: ca.certificateChain, privateKey: ca.privateKey } } });
  });

  afterAll(async () => {
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A transport built from a service's settings, as services/detector/main.ts builds it; few retries so failures show quickly. */
  function transport(env: Record<string, string>): KafkaTransport {
    const config = loadDetectorConfig(env);
    return new KafkaTransport({ brokers: config.brokers, clientId: uniqueName('sasl-test'), logger: quietLogger, security: config.kafkaSecurity, retry: { retries: 2, maxRetryTimeMs: 1000 } });
  }

  async function roundTrip(t: KafkaTransport): Promise<string[]> {
    const topic = uniqueName('sasl');
    await t.ensureTopics([{ name: topic, partitions: 1, config: {} }], 1);
    const producer = await t.producer();
    try {
      await producer.send(topic, ['a', 'b', 'c'].map((v) => ({ key: v, value: Buffer.from(v) })));
    } finally {
      await producer.close();
    }
    const records = await readUntil(t, topic, (r) => r.length >= 3, 30_000);
    return records.map((r) => r.value?.toString() ?? '');
  }

  it('SCRAM-SHA-512 over TLS with the CA file produces and consumes', async () => {
    const t = transport({
      KAFKA_BROKERS: addresses('saslSslBrokers'), KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: caFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: USER, KAFKA_SASL_PASSWORD: PASSWORD,
    });
    expect(await roundTrip(t)).toEqual(['a', 'b', 'c']);
  });

  it.each(['scram-sha-256', 'plain'])('%s over SASL_PLAINTEXT produces and consumes', async (mechanism) => {
    const t = transport({ KAFKA_BROKERS: addresses('saslBrokers'), KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: USER, KAFKA_SASL_PASSWORD: PASSWORD });
    expect(await roundTrip(t)).toEqual(['a', 'b', 'c']);
  });

  it('a wrong password fails with an authentication error, without the password', async () => {
    const t = transport({
      KAFKA_BROKERS: addresses('saslSslBrokers'), KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: caFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: USER, KAFKA_SASL_PASSWORD: 'not-the-password',
    });
    const err: unknown = await t.producer().then(() => undefined, (e: unknown) => e);
    expect(String(err)).toMatch(/SASL authentication failed.*invalid credentials with SASL mechanism SCRAM-SHA-512/i);
    expect(String(err)).not.toContain('not-the-password');
  });

  it('TLS without the CA file fails: the broker certificate does not verify against the system trust store', async () => {
    const t = transport({
      KAFKA_BROKERS: addresses('saslSslBrokers'), KAFKA_TLS: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: USER, KAFKA_SASL_PASSWORD: PASSWORD,
    });
    const err: unknown = await t.producer().then(() => undefined, (e: unknown) => e);
    // The broker sends only its own certificate, so Node reports the missing issuer.
    expect(String(err)).toMatch(/unable to verify the first certificate/);
  });

  it('a detector process with the manifests\' settings (TLS, CA file, SCRAM-SHA-512) becomes ready; with a wrong password it exits and says why', async () => {
    const prefix = `${uniqueName('t')}.`;
    const admin = transport({ KAFKA_BROKERS: addresses('saslBrokers'), KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: USER, KAFKA_SASL_PASSWORD: PASSWORD });
    await admin.ensureTopics(topicSpecs(topicNames(prefix), 1), 1);
    const run = async (password: string): Promise<{ ready: boolean; code: number | null; log: string }> => {
      const port = await pickFreePort();
      const detector = startService('detector', {
        ...process.env, KAFKA_BROKERS: addresses('saslSslBrokers'), PORTENT_TOPIC_PREFIX: prefix, PORTENT_DETECTOR_GROUP_ID: uniqueName('detector'),
        PORTENT_DETECTOR_HEALTH_PORT: String(port), KAFKA_TLS: 'true', KAFKA_TLS_CA_FILE: caFile,
        KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: USER, KAFKA_SASL_PASSWORD: password,
      }, dir);
      onTestFinished(() => detector.stop());
      let alive = true;
      void detector.exited.then(() => (alive = false));
      const ready = await waitForHttp(`http://127.0.0.1:${port}/readyz`, 90_000, () => alive).then(() => true, () => false);
      if (ready) await detector.stop();
      return { ready, code: await detector.exited, log: readFileSync(detector.logFile, 'utf8') };
    };
    expect((await run(PASSWORD)).ready).toBe(true);
    const wrong = await run('not-the-password');
    expect(wrong.ready).toBe(false);
    expect(wrong.code).not.toBe(0);
    expect(wrong.log).toMatch(/SASL authentication failed.*invalid credentials/);
    expect(wrong.log).not.toContain('not-the-password');
  });
});
