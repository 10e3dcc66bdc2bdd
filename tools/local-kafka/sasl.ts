/**
 * Optional authenticated listeners of the local broker, for tests of the
 * services' Kafka security settings (services/common/kafka/security.ts):
 *
 *   SASL_PLAINTEXT://127.0.0.1:<saslPort>   always, when `sasl` is given
 *   SASL_SSL://127.0.0.1:<sslPort>          when `sasl.tls` is given too
 *
 * Both accept PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 for every user. The
 * PLAINTEXT listener stays as it is (the readiness check and inter-broker
 * traffic use it), so a broker with SASL starts as fast as one without.
 *
 * SCRAM credentials live in the KRaft metadata log. They are written when the
 * storage is formatted (`StorageTool format --add-scram`, KIP-900), so a kept
 * data dir keeps the users it was formatted with. PLAIN users are listed in
 * the listeners' JAAS configuration and follow the options on every start.
 * Listener properties: deploy/kafka/sasl.properties.template and
 * sasl-ssl.properties.template.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalKafkaError, LocalKafkaErrorCodes } from './errors.ts';
import { deployKafkaDir } from './jars.ts';

export interface SaslUser {
  readonly username: string;
  readonly password: string;
}

export interface BrokerSaslOptions {
  /** Users with PLAIN and SCRAM-SHA-256/512 credentials. */
  readonly users: readonly SaslUser[];
  /** Also a SASL_SSL listener presenting this certificate chain and key (PEM; the key PKCS#8, unencrypted). */
  readonly tls?: { readonly certificateChain: string; readonly privateKey: string };
}

/** Ports of the authenticated listeners; absent when the broker has none. */
export interface SaslPorts {
  readonly saslPort?: number;
  readonly sslPort?: number;
}

// The credentials end up inside a JAAS option (`user_<name>="<password>"`) and
// StorageTool's `[name=...,password=...]` syntax; neither has an escape that
// works in both, so only characters that need none are accepted.
const SAFE = /^[A-Za-z0-9._~-]{1,128}$/;

export function checkSaslOptions(sasl: BrokerSaslOptions): void {
  const bad = sasl.users.filter((u) => !SAFE.test(u.username) || !SAFE.test(u.password)).map((u) => u.username);
  if (sasl.users.length === 0 || bad.length > 0) {
    throw new LocalKafkaError(LocalKafkaErrorCodes.BAD_OPTION,
      sasl.users.length === 0 ? 'sasl.users: give at least one user' : `sasl.users: names and passwords may only use A-Z a-z 0-9 . _ ~ - (1-128 characters): ${bad.join(', ')}`);
  }
}

/** `--add-scram` arguments of StorageTool format: a SCRAM-SHA-256 and a SCRAM-SHA-512 credential per user. */
export function addScramArgs(sasl: BrokerSaslOptions | undefined): string[] {
  return (sasl?.users ?? []).flatMap((u) => ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => ['--add-scram', `${m}=[name=${u.username},password=${u.password}]`]));
}

/** The extra entries of `listeners` / `advertised.listeners` (with a leading comma), or ''. */
export function saslListeners(ports: SaslPorts): string {
  return [
    ...(ports.saslPort === undefined ? [] : [`,SASL_PLAINTEXT://127.0.0.1:${ports.saslPort}`]),
    ...(ports.sslPort === undefined ? [] : [`,SASL_SSL://127.0.0.1:${ports.sslPort}`]),
  ].join('');
}

function fill(template: string, values: Readonly<Record<string, string>>, file: string): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${file}: unknown placeholder {{${name}}}`);
    return value;
  });
}

/**
 * The listener properties appended to server.properties, and the PEM key store
 * of the SASL_SSL listener written to `keystoreFile`. '' without `sasl`.
 */
export async function renderSaslProperties(sasl: BrokerSaslOptions | undefined, keystoreFile: string): Promise<string> {
  if (sasl === undefined) return '';
  const plainUsers = sasl.users.map((u) => ` user_${u.username}="${u.password}"`).join('');
  const values = { PLAIN_USERS: plainUsers, KEYSTORE_FILE: keystoreFile.replace(/\\/g, '\\\\') };
  const parts = ['sasl.properties.template', ...(sasl.tls === undefined ? [] : ['sasl-ssl.properties.template'])];
  const rendered: string[] = [];
  for (const file of parts) rendered.push(fill(await readFile(join(deployKafkaDir(), file), 'utf8'), values, file));
  if (sasl.tls !== undefined) {
    // Kafka's PEM key store (KIP-651): the private key, then the certificate chain, in one file.
    await writeFile(keystoreFile, `${sasl.tls.privateKey.trim()}\n${sasl.tls.certificateChain.trim()}\n`, { mode: 0o600 });
  }
  return `\n${rendered.join('\n')}`;
}
