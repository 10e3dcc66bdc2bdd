import type { CompactedTable } from '../common/kafka/table.ts';
import type { RecordProducer } from '../common/kafka/transport.ts';
import { PortentError } from '../common/errors.ts';
import { AlerterErrorCodes } from './errors.ts';

/** Where changes go: a compacted topic in production, memory in tests. null deletes. */
export interface RecordWriter<V> {
  write(key: string, value: V | null): Promise<void>;
}

/**
 * A set of records kept in a compacted topic and materialised by every
 * replica (advisories, silences). Writes go to the topic first and are
 * applied locally once acknowledged, so the caller reads its own write.
 */
export class TopicStore<V> {
  readonly #table: Pick<CompactedTable<V>, 'get' | 'values' | 'apply'>;
  readonly #writer: RecordWriter<V>;
  readonly #what: string;

  constructor(what: string, table: Pick<CompactedTable<V>, 'get' | 'values' | 'apply'>, writer: RecordWriter<V>) {
    this.#what = what;
    this.#table = table;
    this.#writer = writer;
  }

  get(key: string): V {
    const v = this.#table.get(key);
    if (v === undefined) throw new PortentError(AlerterErrorCodes.NOT_FOUND, `${this.#what} ${key} not found`, { fields: { key } });
    return v;
  }

  find(key: string): V | undefined {
    return this.#table.get(key);
  }

  values(): V[] {
    return [...this.#table.values()];
  }

  async put(key: string, value: V): Promise<V> {
    await this.#write(key, value);
    return value;
  }

  async delete(key: string): Promise<void> {
    this.get(key);
    await this.#write(key, null);
  }

  async #write(key: string, value: V | null): Promise<void> {
    try {
      await this.#writer.write(key, value);
    } catch (err) {
      throw new PortentError(AlerterErrorCodes.WRITE_FAILED, `could not store ${this.#what} ${key}`, { cause: err, canRetry: true, fields: { key } });
    }
    this.#table.apply(key, value);
  }
}

export function kafkaWriter<V>(producer: RecordProducer, topic: string, encode: (v: V) => Buffer): RecordWriter<V> {
  return { write: (key, value) => producer.send(topic, [{ key, value: value === null ? null : encode(value) }]) };
}
