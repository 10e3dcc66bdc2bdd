import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { CommonErrorCodes, PortentError } from '../errors.ts';

/**
 * How a service authenticates to Kafka: TLS (optionally with a private CA)
 * and SASL (PLAIN or SCRAM), as a Strimzi cluster with KafkaUsers expects.
 * Without any of these settings the connection is plaintext, as for the
 * local broker.
 */
export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface KafkaSecurity {
  /** TLS to the brokers; `ca` (PEM) replaces the system trust store when given. */
  readonly tls?: { readonly ca?: string };
  readonly sasl?: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: string };
}

/** The settings, spread into every service's schema through commonSettings. */
export const kafkaSecuritySettings = {
  KAFKA_TLS: Type.Boolean({ default: false, description: 'Connect to the brokers with TLS' }),
  KAFKA_TLS_CA_FILE: Type.Optional(Type.String({ minLength: 1, description: 'PEM file of the CA that signed the brokers certificates' })),
  KAFKA_SASL_MECHANISM: Type.Optional(Type.Union(SASL_MECHANISMS.map((m) => Type.Literal(m)))),
  KAFKA_SASL_USERNAME: Type.Optional(Type.String({ minLength: 1 })),
  KAFKA_SASL_PASSWORD: Type.Optional(Type.String({ minLength: 1 })),
};

export interface KafkaSecurityValues {
  readonly KAFKA_TLS: boolean;
  readonly KAFKA_TLS_CA_FILE?: string | undefined;
  readonly KAFKA_SASL_MECHANISM?: SaslMechanism | undefined;
  readonly KAFKA_SASL_USERNAME?: string | undefined;
  readonly KAFKA_SASL_PASSWORD?: string | undefined;
}

/**
 * Checks the combination (the schema checks each value) and reads the CA
 * file, once, at start-up. Every problem is reported together; the password
 * never appears in a message.
 */
export function kafkaSecurity(c: KafkaSecurityValues, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): KafkaSecurity {
  const problems: string[] = [];
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = c;
  if (mechanism === undefined && (username !== undefined || password !== undefined)) problems.push('KAFKA_SASL_USERNAME/PASSWORD: set KAFKA_SASL_MECHANISM too');
  if (mechanism !== undefined && username === undefined) problems.push('KAFKA_SASL_USERNAME: required with KAFKA_SASL_MECHANISM');
  if (mechanism !== undefined && password === undefined) problems.push('KAFKA_SASL_PASSWORD: required with KAFKA_SASL_MECHANISM');
  if (c.KAFKA_TLS_CA_FILE !== undefined && !c.KAFKA_TLS) problems.push('KAFKA_TLS_CA_FILE: set KAFKA_TLS=true too');
  let ca: string | undefined;
  if (c.KAFKA_TLS_CA_FILE !== undefined) {
    try {
      ca = readFile(c.KAFKA_TLS_CA_FILE);
    } catch (err) {
      problems.push(`KAFKA_TLS_CA_FILE: cannot read ${c.KAFKA_TLS_CA_FILE} (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (problems.length > 0) {
    throw new PortentError(CommonErrorCodes.CONFIG_INVALID, `invalid configuration:\n  ${problems.join('\n  ')}`, { fields: { problems } });
  }
  return Object.freeze({
    ...(c.KAFKA_TLS ? { tls: ca === undefined ? {} : { ca } } : {}),
    ...(mechanism !== undefined && username !== undefined && password !== undefined ? { sasl: { mechanism, username, password } } : {}),
  });
}
