/**
 * The local broker's optional SASL listeners, as rendered into
 * server.properties; the default broker's configuration gains nothing.
 * The broker itself is exercised by test/services/common/kafka/security.int.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderServerProperties } from '../../../tools/local-kafka/config.ts';
import { LocalKafkaErrorCodes, isLocalKafkaError } from '../../../tools/local-kafka/errors.ts';
import { addScramArgs, checkSaslOptions, renderSaslProperties } from '../../../tools/local-kafka/sasl.ts';

const dir = mkdtempSync(join(tmpdir(), 'portent-sasl-unit-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const users = [{ username: 'portent-sensor', password: 'Zm9v-YmFy_1' }];
const property = (text: string, key: string): string | undefined => text.split('\n').find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);

describe('local broker SASL listeners', () => {
  it('leave the default broker with its PLAINTEXT and CONTROLLER listeners only', async () => {
    const text = await renderServerProperties({ port: 9092, controllerPort: 9093 }, '/data') + await renderSaslProperties(undefined, join(dir, 'ks.pem'));
    expect(property(text, 'listeners')).toBe('PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093');
    const settings = text.split('\n').filter((l) => !l.startsWith('#'));
    expect(settings.filter((l) => /^(listener\.name\.|sasl\.)|\{\{/.test(l))).toEqual([]);
  });

  it('add a SASL_PLAINTEXT and a SASL_SSL listener with PLAIN and SCRAM for every user, and a PEM key store', async () => {
    const keystore = join(dir, 'ks.pem');
    const tls = { certificateChain: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', privateKey: '-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----\n' };
    const text = await renderServerProperties({ port: 1, controllerPort: 2, saslPort: 3, sslPort: 4 }, '/data') + await renderSaslProperties({ users, tls }, keystore);
    expect(property(text, 'advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:1,CONTROLLER://127.0.0.1:2,SASL_PLAINTEXT://127.0.0.1:3,SASL_SSL://127.0.0.1:4');
    for (const l of ['sasl_plaintext', 'sasl_ssl']) {
      expect(property(text, `listener.name.${l}.sasl.enabled.mechanisms`)).toBe('PLAIN,SCRAM-SHA-256,SCRAM-SHA-512');
      expect(property(text, `listener.name.${l}.plain.sasl.jaas.config`)).toContain('user_portent-sensor="Zm9v-YmFy_1";');
    }
    expect(property(text, 'listener.name.sasl_ssl.ssl.keystore.location')).toBe(keystore);
    expect(readFileSync(keystore, 'utf8')).toBe(`${tls.privateKey}${tls.certificateChain}`);
    expect(text).not.toContain('{{');
  });

  it('create SCRAM credentials at format time for both hash sizes', () => {
    expect(addScramArgs({ users })).toEqual([
      '--add-scram', 'SCRAM-SHA-256=[name=portent-sensor,password=Zm9v-YmFy_1]',
      '--add-scram', 'SCRAM-SHA-512=[name=portent-sensor,password=Zm9v-YmFy_1]',
    ]);
    expect(addScramArgs(undefined)).toEqual([]);
  });

  it('refuse credentials that would need quoting in JAAS or StorageTool syntax', () => {
    for (const bad of [{ users: [] }, { users: [{ username: 'a', password: 'p"w' }] }, { users: [{ username: 'a,b', password: 'pw' }] }]) {
      let code = '';
      try {
        checkSaslOptions(bad);
      } catch (err) {
        code = isLocalKafkaError(err) ? err.code : String(err);
      }
      expect(code).toBe(LocalKafkaErrorCodes.BAD_OPTION);
    }
  });
});
