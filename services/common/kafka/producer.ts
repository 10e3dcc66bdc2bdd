/**
 * The producing half of the Kafka transport, on @platformatic/kafka (the
 * consumers and the admin calls stay on kafkajs, in transport.ts). With
 * reach.ts, the only modules that import @platformatic/kafka.
 *
 * Why: kafkajs spends most of a sensor's publishing CPU building requests;
 * producing the same pre-encoded 20 KB records (10 per send, acks=all,
 * idempotent; kafkajs with a native CRC-32C) costs about half the CPU per event
 * here (decision and figures in services/common/kafka/README.md).
 *
 * What callers rely on, kept from the kafkajs producer:
 * - idempotent, acks=all, one request in flight per broker: retries neither
 *   duplicate nor reorder;
 * - the records of one send to one partition form one record batch, which
 *   the broker appends atomically (the detector's checkpoints rely on it);
 * - keys go to partitions as the Java client and kafkajs put them
 *   (murmur2 of the key, sign bit cleared, modulo the partition count), so a
 *   rolling upgrade moves no port to another partition;
 * - a send retries with capped exponential backoff, unbounded unless the
 *   caller bounds it (the sensor does, to notice an outage and spool).
 */
import { compatibilityPartitioner, ProduceAcks, Producer } from '@platformatic/kafka';
import type { MessageToProduce, ProducerOptions as ClientOptions, SASLOptions } from '@platformatic/kafka';
import type { KafkaSecurity } from './security.ts';
import type { OutRecord, RecordProducer } from './records.ts';

export interface ProducerConnection {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly security?: KafkaSecurity | undefined;
  /** Attempts to reach the cluster before producer() gives up (the transport's connect retries). */
  readonly connectRetries: number;
  /** Retries of one send; unbounded when absent. */
  readonly retries?: number | undefined;
  /** Cap of the backoff between retries. */
  readonly maxRetryTimeMs?: number | undefined;
}

const INITIAL_RETRY_MS = 200;

export async function connectProducer(c: ProducerConnection): Promise<RecordProducer> {
  const maxDelay = c.maxRetryTimeMs ?? 10_000;
  const producer = new Producer<Buffer, Buffer, Buffer, Buffer>({
    clientId: c.clientId,
    bootstrapBrokers: [...c.brokers],
    idempotent: true,
    acks: ProduceAcks.ALL,
    // The client treats fewer than 2 retries of an idempotent producer as
    // "unbounded"; a caller asking for 1 gets 2 rather than never failing.
    retries: c.retries === undefined ? Number.MAX_SAFE_INTEGER : Math.max(2, c.retries),
    retryDelay: (_client, _operation, attempt) => backoff(attempt, maxDelay),
    autocreateTopics: false,
    partitioner: partitionOf,
    ...clientSecurity(c.security),
  });
  try {
    // Reaches a broker (TLS and SASL included) with the connect retries, so
    // an absent or refusing cluster fails here and says why...
    await producer.metadata({ topics: [], retries: c.connectRetries });
    // ...then takes a producer id for idempotence.
    await producer.initIdempotentProducer({});
  } catch (err) {
    await producer.close(true).catch(() => undefined);
    throw kafkaError('connecting the producer to Kafka failed', err);
  }
  return {
    async send(topic, records, options) {
      if (records.length === 0) return;
      try {
        await producer.send({ messages: records.map((r) => toMessage(topic, r)), ...(options?.compression === undefined ? {} : { compression: options.compression }) });
      } catch (err) {
        throw kafkaError(`producing to ${topic} failed`, err);
      }
    },
    close: () => producer.close(),
  };
}

/** The partition of a keyed record, as the Java client's default partitioner picks it (the send takes it modulo the partition count). */
export const partitionOf: NonNullable<ClientOptions<Buffer, Buffer, Buffer, Buffer>['partitioner']> = (message, key) =>
  key === undefined ? roundRobin(message.topic) : compatibilityPartitioner(message, key);

const nextPartition = new Map<string, number>();

/** Records without a key are spread over the partitions in turn (the send takes the count modulo the partitions). */
function roundRobin(topic: string): number {
  const next = nextPartition.get(topic) ?? 0;
  nextPartition.set(topic, (next + 1) & 0x7fffffff);
  return next;
}

function toMessage(topic: string, r: OutRecord): MessageToProduce {
  const m: MessageToProduce = { topic };
  if (r.key !== null) m.key = Buffer.from(r.key, 'utf8');
  if (r.value !== null) m.value = r.value;
  if (r.partition !== undefined) m.partition = r.partition;
  if (r.headers !== undefined) {
    const headers = new Map<Buffer, Buffer>();
    for (const [k, v] of Object.entries(r.headers)) headers.set(Buffer.from(k, 'utf8'), Buffer.from(v, 'utf8'));
    m.headers = headers;
  }
  return m;
}

/** 200 ms doubling per attempt up to `maxMs`, with ±20 % jitter so that many clients do not retry in step. */
function backoff(attempt: number, maxMs: number): number {
  const base = Math.min(maxMs, INITIAL_RETRY_MS * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** @platformatic/kafka's `tls` and `sasl` options for `security` (nothing: plaintext). */
export function clientSecurity(security: KafkaSecurity | undefined): Pick<ClientOptions<Buffer, Buffer, Buffer, Buffer>, 'tls' | 'sasl'> {
  const out: Pick<ClientOptions<Buffer, Buffer, Buffer, Buffer>, 'tls' | 'sasl'> = {};
  if (security?.tls !== undefined) out.tls = security.tls.ca === undefined ? {} : { ca: [security.tls.ca] };
  if (security?.sasl !== undefined) {
    const { mechanism, username, password } = security.sasl;
    const sasl: SASLOptions = { mechanism: SASL_NAMES[mechanism], username, password };
    out.sasl = sasl;
  }
  return out;
}

const SASL_NAMES = { 'plain': 'PLAIN', 'scram-sha-256': 'SCRAM-SHA-256', 'scram-sha-512': 'SCRAM-SHA-512' } as const;

/**
 * One error whose message says what went wrong underneath: the client
 * reports failures as trees (a retried operation holds every attempt's
 * error), whose top message alone ("Producing messages failed.") tells an
 * operator nothing.
 */
export function kafkaError(what: string, err: unknown): Error {
  return new Error(`${what}: ${rootCauses(err)}`, { cause: err });
}

/** The distinct messages at the leaves of a client error tree, at most three and a count, joined by "; ". */
export function rootCauses(err: unknown): string {
  const causes = [...new Set(leafMessages(err))];
  const shown = causes.length > 3 ? [...causes.slice(0, 3), `and ${causes.length - 3} more`] : causes;
  return shown.join('; ');
}

function leafMessages(err: unknown, depth = 0): string[] {
  if (!(err instanceof Error)) return [String(err)];
  const nested = err instanceof AggregateError ? (err.errors as unknown[]) : err.cause === undefined ? [] : [err.cause];
  if (nested.length === 0 || depth > 8) {
    // A broker's refusal carries its own explanation (e.g. "invalid credentials with SASL mechanism SCRAM-SHA-512").
    const server = (err as { serverErrorMessage?: unknown }).serverErrorMessage;
    return [typeof server === 'string' && server !== '' ? `${err.message} (broker: ${server})` : err.message];
  }
  return nested.flatMap((e) => leafMessages(e, depth + 1));
}
