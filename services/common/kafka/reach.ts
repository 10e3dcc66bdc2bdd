/**
 * The start-up check of a service's Kafka connection: can a broker be
 * reached, and does it accept the credentials? It answers with one
 * PortentError whose message names the brokers and the cause, so that a
 * service can print one line instead of a client's tree of retried errors.
 *
 * - Unreachable (refused, timed out, TLS failed): tried again with backoff
 *   until `timeoutMs` has passed, then KAFKA_UNAVAILABLE with the last cause.
 * - Credentials refused (SASL): KAFKA_AUTH_FAILED at once; trying again
 *   cannot help, and a locked-out user should not be hammered.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Admin } from '@platformatic/kafka';
import { CommonErrorCodes, PortentError } from '../errors.ts';
import { clientSecurity, rootCauses } from './producer.ts';
import type { KafkaSecurity } from './security.ts';

export interface ReachOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly security?: KafkaSecurity | undefined;
  /** How long to keep trying an unreachable cluster. */
  readonly timeoutMs: number;
}

const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;
/**
 * One attempt's connect and request bound: long enough for a TLS and SCRAM
 * handshake with a distant or busy cluster. The last attempt gets at least
 * ATTEMPT_MIN_MS, so the whole check can pass the timeout by that much.
 */
const ATTEMPT_MAX_MS = 10_000;
const ATTEMPT_MIN_MS = 5_000;

/** Resolves once a broker has answered a metadata request; rejects with KAFKA_UNAVAILABLE or KAFKA_AUTH_FAILED. */
export async function reachKafka(o: ReachOptions): Promise<void> {
  const started = performance.now();
  const left = (): number => o.timeoutMs - (performance.now() - started);
  let cause: unknown;
  for (let attempt = 0; ; attempt++) {
    cause = await attemptOnce(o, Math.max(ATTEMPT_MIN_MS, Math.min(ATTEMPT_MAX_MS, left())));
    if (cause === undefined) return;
    if (isAuthFailure(cause)) throw refused(o, cause);
    const wait = Math.min(FIRST_RETRY_MS * 2 ** Math.min(attempt, 10), MAX_RETRY_MS, left());
    if (wait <= 0) break;
    await sleep(wait);
  }
  const seconds = Math.round(o.timeoutMs / 100) / 10;
  throw new PortentError(CommonErrorCodes.KAFKA_UNAVAILABLE, `Kafka at ${o.brokers.join(',')} not reachable within ${seconds} s: ${rootCauses(cause)}`, {
    cause,
    canRetry: true,
    fields: { brokers: o.brokers, timeoutMs: o.timeoutMs },
  });
}

/** One metadata request without the client's own retries: undefined on success, else the error. */
async function attemptOnce(o: ReachOptions, boundMs: number): Promise<unknown> {
  const admin = new Admin({
    clientId: o.clientId,
    bootstrapBrokers: [...o.brokers],
    retries: 0,
    connectTimeout: boundMs,
    requestTimeout: boundMs,
    ...clientSecurity(o.security),
  });
  try {
    await admin.metadata({ topics: [] });
    return undefined;
  } catch (err) {
    return err;
  } finally {
    await admin.close().catch(() => undefined);
  }
}

function refused(o: ReachOptions, cause: unknown): PortentError {
  const sasl = o.security?.sasl;
  const who = sasl === undefined ? 'the credentials' : `user ${sasl.username} (SASL ${sasl.mechanism})`;
  return new PortentError(CommonErrorCodes.KAFKA_AUTH_FAILED, `Kafka at ${o.brokers.join(',')} refused ${who}: ${rootCauses(cause)}`, {
    cause,
    fields: { brokers: o.brokers },
  });
}

/**
 * A failed connect or send of a running client as one PortentError naming the
 * brokers and the cause: KAFKA_AUTH_FAILED if the credentials were refused,
 * else KAFKA_UNAVAILABLE.
 */
export function kafkaFailure(o: Pick<ReachOptions, 'brokers' | 'security'>, cause: unknown): PortentError {
  if (isAuthFailure(cause)) return refused({ ...o, clientId: '', timeoutMs: 0 }, cause);
  return new PortentError(CommonErrorCodes.KAFKA_UNAVAILABLE, `Kafka at ${o.brokers.join(',')} unreachable: ${rootCauses(cause)}`, {
    cause,
    canRetry: true,
    fields: { brokers: o.brokers },
  });
}

/** True if the client's error tree holds a SASL authentication failure (@platformatic/kafka's PLT_KFK_AUTHENTICATION). */
export function isAuthFailure(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 8) return false;
  if ((err as { code?: unknown }).code === 'PLT_KFK_AUTHENTICATION') return true;
  const nested = err instanceof AggregateError ? (err.errors as unknown[]) : [];
  return [...nested, err.cause].some((e) => isAuthFailure(e, depth + 1));
}
