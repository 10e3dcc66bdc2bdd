import { randomUUID } from 'node:crypto';
import type { InRecord, KafkaTransport, RecordConsumer } from './transport.ts';

/**
 * A compacted topic materialised in memory: key -> decoded value, where a
 * null value (tombstone) deletes the key. Every replica of a service keeps its
 * own copy, read from the beginning with a throw-away consumer group that
 * commits nothing, so the service itself holds no state of its own.
 *
 * `ready` resolves once everything that was in the topic at start has been
 * read: a replica that answers reads before that would answer with a partial
 * view.
 */
export class CompactedTable<V> {
  readonly #rows = new Map<string, V>();
  readonly #decode: (value: Buffer) => V;
  #consumer: RecordConsumer | undefined;
  #ready: Promise<void> | undefined;

  constructor(decode: (value: Buffer) => V) {
    this.#decode = decode;
  }

  get(key: string): V | undefined {
    return this.#rows.get(key);
  }

  values(): IterableIterator<V> {
    return this.#rows.values();
  }

  get size(): number {
    return this.#rows.size;
  }

  /** Applies one record: used for the topic's own records and for this replica's writes (read-your-writes). */
  apply(key: string, value: V | null): void {
    if (value === null) this.#rows.delete(key);
    else this.#rows.set(key, value);
  }

  /** Starts following `topic`; the promise resolves when the table has caught up. */
  start(transport: KafkaTransport, topic: string, groupPrefix: string, onBadRecord: (r: InRecord, err: unknown) => void): Promise<void> {
    this.#ready ??= this.#follow(transport, topic, groupPrefix, onBadRecord);
    return this.#ready;
  }

  async #follow(transport: KafkaTransport, topic: string, groupPrefix: string, onBadRecord: (r: InRecord, err: unknown) => void): Promise<void> {
    const ends = await transport.endOffsets(topic);
    const pending = new Set([...ends].filter(([, end]) => end > 0n).map(([p]) => p));
    const { promise, resolve, reject } = Promise.withResolvers<undefined>();
    if (pending.size === 0) resolve(undefined);
    this.#consumer = transport.consumer({ groupId: `${groupPrefix}-${randomUUID()}`, topics: [topic], fromBeginning: true, commitOffsets: false });
    this.#consumer
      .run((batch) => {
        for (const r of batch.records) {
          if (r.key === null) continue;
          try {
            this.apply(r.key, r.value === null ? null : this.#decode(r.value));
          } catch (err) {
            onBadRecord(r, err);
          }
          if (BigInt(r.offset) + 1n >= (ends.get(r.partition) ?? 0n)) pending.delete(r.partition);
        }
        if (pending.size === 0) resolve(undefined);
        return Promise.resolve();
      })
      .catch(reject);
    return promise;
  }

  async close(): Promise<void> {
    await this.#consumer?.close();
  }
}
