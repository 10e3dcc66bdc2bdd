/**
 * The one module that talks to kafkajs. kafkajs has been unmaintained since
 * 2023; everything else in Portent sees only the small interfaces below, so
 * the client can be swapped by rewriting this directory alone. Producing has
 * moved to @platformatic/kafka already (producer.ts; why in README.md here).
 */
import kafkajs from 'kafkajs';
import type { Admin, Consumer, IHeaders, KafkaConfig, LogEntry } from 'kafkajs';
import type { Logger } from '../logger.ts';
import { connectProducer } from './producer.ts';
import type { InRecord, RecordConsumer, RecordProducer } from './records.ts';
import type { KafkaSecurity } from './security.ts';
import type { TopicSpec } from './topics.ts';

const { Kafka, logLevel } = kafkajs;

export type { InBatch, InRecord, OutRecord, RecordConsumer, RecordProducer, SendOptions } from './records.ts';

export interface ConsumerOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Where a group without committed offsets starts. */
  readonly fromBeginning: boolean;
  /** false for throw-away readers (e.g. materialising a compacted topic) that must leave no offsets behind. */
  readonly commitOffsets?: boolean;
  /** Batches of different partitions handled at once (kafkajs partitionsConsumedConcurrently); default 1. Order within a partition is kept either way. */
  readonly partitionsConcurrently?: number;
  /** How long the group waits for a silent member (e.g. one killed with -9) before moving its partitions; kafkajs default 30 s. */
  readonly sessionTimeoutMs?: number;
  /** Upper bound of one fetch per partition (kafkajs default 1 MiB); larger batches mean fewer per-batch costs such as checkpoints. */
  readonly maxBytesPerPartition?: number;
}

export interface KafkaTransportOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly logger: Logger;
  /**
   * Called when a consumer has crashed for good (kafkajs gave up restarting
   * it). Services exit so that their supervisor restarts them: a process
   * whose consumer is dead must not keep passing its probes.
   */
  readonly onFatal?: (err: unknown) => void;
  /**
   * Retries of connecting and of metadata/admin requests (default 8, backoff
   * up to 30 s). A sensor that spools while the broker is away lowers it, so
   * that connecting to an absent broker fails in seconds, not a minute.
   */
  readonly retry?: { readonly retries: number; readonly maxRetryTimeMs: number };
  /** TLS and SASL towards the brokers (services/common/kafka/security.ts); plaintext when absent. */
  readonly security?: KafkaSecurity;
}

export interface ProducerOptions {
  /**
   * Bound the retries of one send (default: unbounded, as idempotence wants).
   * A sensor that spools to disk while the broker is away sets this, so that a
   * send fails after about `maxRetryTimeMs` × retries instead of waiting out
   * the outage. At least 2 (the client reads fewer as unbounded).
   */
  readonly retries?: number;
  readonly maxRetryTimeMs?: number;
}

export class KafkaTransport {
  readonly #kafka: InstanceType<typeof Kafka>;
  readonly #log: Logger;
  readonly #onFatal: ((err: unknown) => void) | undefined;
  readonly #opts: KafkaTransportOptions;

  constructor(opts: KafkaTransportOptions) {
    this.#opts = opts;
    const log = opts.logger.child({ component: 'kafkajs' });
    this.#log = log;
    this.#onFatal = opts.onFatal;
    this.#kafka = new Kafka({
      clientId: opts.clientId,
      brokers: [...opts.brokers],
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => {
        const { message, ...extra } = entry.log;
        const fn = entry.level <= logLevel.ERROR ? log.error.bind(log) : log.warn.bind(log);
        fn({ ns: entry.namespace, ...extra }, message);
      },
      retry: opts.retry === undefined ? { initialRetryTime: 200, retries: 8 } : { initialRetryTime: 200, retries: opts.retry.retries, maxRetryTime: opts.retry.maxRetryTimeMs },
      ...connectionSecurity(opts.security),
    });
  }

  /**
   * An idempotent producer: acks=all, retries never duplicate or reorder.
   * Resolves once a broker has answered (TLS and SASL done) and granted a
   * producer id; rejects with the reason after the transport's connect retries.
   */
  async producer(opts: ProducerOptions = {}): Promise<RecordProducer> {
    return connectProducer({
      brokers: this.#opts.brokers,
      clientId: this.#opts.clientId,
      security: this.#opts.security,
      connectRetries: this.#opts.retry?.retries ?? 8,
      retries: opts.retries,
      maxRetryTimeMs: opts.maxRetryTimeMs,
    });
  }

  consumer(opts: ConsumerOptions): RecordConsumer {
    // maxWaitTimeInMs: how long a fetch waits for data on an idle topic; 1 s keeps
    // shutdown (which waits for the fetch in flight) and idle latency short.
    const consumer: Consumer = this.#kafka.consumer({
      groupId: opts.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 1000,
      ...(opts.sessionTimeoutMs === undefined ? {} : { sessionTimeout: opts.sessionTimeoutMs, heartbeatInterval: Math.max(500, Math.floor(opts.sessionTimeoutMs / 6)) }),
      ...(opts.maxBytesPerPartition === undefined ? {} : { maxBytesPerPartition: opts.maxBytesPerPartition, maxBytes: Math.max(10 * 2 ** 20, opts.maxBytesPerPartition) }),
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload;
      this.#log.error({ err: error, groupId: opts.groupId, restart }, restart ? 'consumer crashed; restarting' : 'consumer crashed for good');
      if (!restart) this.#onFatal?.(error);
    });
    return {
      async run(handler) {
        await consumer.connect();
        await consumer.subscribe({ topics: [...opts.topics], fromBeginning: opts.fromBeginning });
        await consumer.run({
          autoCommit: opts.commitOffsets ?? true,
          eachBatchAutoResolve: true,
          partitionsConsumedConcurrently: opts.partitionsConcurrently ?? 1,
          eachBatch: async (payload) => {
            const { batch } = payload;
            const records = batch.messages.map((m): InRecord => ({
              topic: batch.topic,
              partition: batch.partition,
              offset: m.offset,
              timestamp: Number(m.timestamp),
              key: m.key === null ? null : m.key.toString('utf8'),
              value: m.value,
              headers: fromHeaders(m.headers),
            }));
            await handler({ topic: batch.topic, partition: batch.partition, records, highWatermark: batch.highWatermark, heartbeat: () => payload.heartbeat(), seek: (offset) => {
              consumer.seek({ topic: batch.topic, partition: batch.partition, offset });
            } });
          },
        });
      },
      close: () => consumer.disconnect(),
    };
  }

  /**
   * Creates missing topics (existing ones are left as they are) and resolves
   * once the broker's metadata shows every partition of each with a leader.
   *
   * kafkajs's own wait (`waitForLeaders`) tolerates only LEADER_NOT_AVAILABLE,
   * but a KRaft broker answers UNKNOWN_TOPIC_OR_PARTITION until it has applied
   * new topics, and kafkajs then throws although the topics were created: under
   * load, a producer started next failed with "This server does not host this
   * topic-partition". Here that answer means "created, not visible yet", and
   * the metadata is polled until it settles (30 s at most).
   */
  async ensureTopics(specs: readonly TopicSpec[], replicationFactor: number): Promise<void> {
    await this.#withAdmin(async (admin) => {
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((s) => !existing.has(s.name));
      if (missing.length === 0) return;
      try {
        await admin.createTopics({
          waitForLeaders: false,
          topics: missing.map((s) => ({
            topic: s.name,
            numPartitions: s.partitions,
            replicationFactor,
            configEntries: Object.entries(s.config).map(([name, value]) => ({ name, value })),
          })),
        });
      } catch (err) {
        // Another client created one of them meanwhile: fine, it exists.
        if (errorType(err) !== 'TOPIC_ALREADY_EXISTS') throw err;
      }
      await settled(admin, missing, 30_000);
    });
  }

  /** The offset one past the last record, per partition (the high watermark). */
  async endOffsets(topic: string): Promise<Map<number, bigint>> {
    return this.#withAdmin(async (admin) => {
      const offsets = await admin.fetchTopicOffsets(topic);
      return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
    });
  }

  async #withAdmin<T>(fn: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      return await fn(admin);
    } finally {
      await admin.disconnect();
    }
  }
}

/** kafkajs's error type name (e.g. UNKNOWN_TOPIC_OR_PARTITION), if any. */
function errorType(err: unknown): string | undefined {
  const type = (err as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : undefined;
}

/** Metadata answers of a broker that has not applied new topics yet. */
const SETTLING = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION']);

/** Polls the metadata until every topic of `specs` has all its partitions, each with a leader. */
async function settled(admin: Admin, specs: readonly TopicSpec[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: specs.map((s) => s.name) });
      const ready = specs.every((s) => {
        const t = topics.find((m) => m.name === s.name);
        return t !== undefined && t.partitions.length === s.partitions && t.partitions.every((p) => p.leader >= 0);
      });
      if (ready) return;
    } catch (err) {
      if (!SETTLING.has(errorType(err) ?? '') || Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics not ready within ${timeoutMs} ms: ${specs.map((s) => s.name).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function fromHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first.toString();
  }
  return out;
}

/** kafkajs's `ssl` and `sasl` options for `security` (nothing: plaintext). */
export function connectionSecurity(security: KafkaSecurity | undefined): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (security?.tls !== undefined) out.ssl = security.tls.ca === undefined ? true : { ca: [security.tls.ca] };
  if (security?.sasl !== undefined) {
    const { mechanism, username, password } = security.sasl;
    // kafkajs types SASL options as one object type per mechanism: narrow before building.
    switch (mechanism) {
      case 'plain':
        out.sasl = { mechanism, username, password };
        break;
      case 'scram-sha-256':
        out.sasl = { mechanism, username, password };
        break;
      case 'scram-sha-512':
        out.sasl = { mechanism, username, password };
        break;
    }
  }
  return out;
}
