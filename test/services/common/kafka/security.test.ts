import { describe, expect, it } from 'vitest';
import { CommonErrorCodes, PortentError } from '../../../../services/common/errors.ts';
import { kafkaSecurity } from '../../../../services/common/kafka/security.ts';
import { connectionSecurity } from '../../../../services/common/kafka/transport.ts';
import { loadDetectorConfig } from '../../../../services/detector/config.ts';

function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof PortentError && err.code === CommonErrorCodes.CONFIG_INVALID ? err.message : `unexpected: ${String(err)}`;
  }
  return 'no error';
}

describe('kafkaSecurity', () => {
  it('is plaintext without settings', () => {
    expect(kafkaSecurity({ KAFKA_TLS: false })).toEqual({});
    expect(connectionSecurity(kafkaSecurity({ KAFKA_TLS: false }))).toEqual({});
  });

  it('turns TLS with a private CA and SCRAM credentials into the client options', () => {
    const security = kafkaSecurity(
      { KAFKA_TLS: true, KAFKA_TLS_CA_FILE: '/etc/kafka/ca.crt', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'portent-detector', KAFKA_SASL_PASSWORD: 's3cret' },
      (path) => `PEM of ${path}`,
    );
    expect(connectionSecurity(security)).toEqual({
      ssl: { ca: ['PEM of /etc/kafka/ca.crt'] },
      sasl: { mechanism: 'scram-sha-512', username: 'portent-detector', password: 's3cret' },
    });
    expect(connectionSecurity(kafkaSecurity({ KAFKA_TLS: true }))).toEqual({ ssl: true });
  });

  it('lists every inconsistent combination together, without the password', () => {
    const message = problemsOf(() =>
      kafkaSecurity({ KAFKA_TLS: false, KAFKA_TLS_CA_FILE: '/nope', KAFKA_SASL_PASSWORD: 'hunter2-long' }, () => {
        throw new Error('ENOENT');
      }),
    );
    expect(message).toContain('KAFKA_SASL_USERNAME/PASSWORD: set KAFKA_SASL_MECHANISM too');
    expect(message).toContain('KAFKA_TLS_CA_FILE: set KAFKA_TLS=true too');
    expect(message).toContain('KAFKA_TLS_CA_FILE: cannot read /nope');
    expect(message).not.toContain('hunter2');
    expect(problemsOf(() => kafkaSecurity({ KAFKA_TLS: false, KAFKA_SASL_MECHANISM: 'plain' }))).toContain('KAFKA_SASL_USERNAME: required');
  });

  it('is read by every service from its environment', () => {
    const config = loadDetectorConfig({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p', KAFKA_TLS: 'true' });
    expect(config.kafkaSecurity).toEqual({ tls: {}, sasl: { mechanism: 'plain', username: 'u', password: 'p' } });
  });
});
