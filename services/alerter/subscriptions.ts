import { randomBytes } from 'node:crypto';
import type { Alert, Subscription } from '../common/avro/generated-types.ts';
import { subscriptionCodec } from '../common/avro/codecs.ts';
import type { CompactedTable } from '../common/kafka/table.ts';
import type { RecordProducer } from '../common/kafka/transport.ts';
import { subscriptionInvalid, subscriptionNotFound, subscriptionWriteFailed } from './errors.ts';
import { generateSecret } from './signing.ts';

export const MAX_URL_LENGTH = 2048;
export const MAX_PORTS = 1000;

/** Where subscription changes go: the compacted topic in production, a Map in tests. null deletes. */
export interface SubscriptionWriter {
  write(id: string, value: Subscription | null): Promise<void>;
}

/** The part of CompactedTable the store needs. */
export type SubscriptionTable = Pick<CompactedTable<Subscription>, 'get' | 'values' | 'apply'>;

export interface NewSubscription {
  readonly url: string;
  readonly ports?: readonly number[] | undefined;
}

export interface SubscriptionStoreOptions {
  readonly table: SubscriptionTable;
  readonly writer: SubscriptionWriter;
  /** Epoch ms; injectable so tests get stable createdAt values. */
  readonly now?: () => number;
}

/**
 * Subscriptions, read from this replica's copy of the compacted topic and
 * written through the topic so every replica converges on the same set.
 *
 * A write is applied locally as soon as Kafka acknowledges it, so the caller
 * reads its own write at once; the table consumer later applies the same
 * record again, which changes nothing. Objects returned here carry the
 * signing secret: the HTTP layer decides what leaves the process.
 */
export class SubscriptionStore {
  readonly #table: SubscriptionTable;
  readonly #writer: SubscriptionWriter;
  readonly #now: () => number;
  #ready = false;

  constructor(opts: SubscriptionStoreOptions) {
    this.#table = opts.table;
    this.#writer = opts.writer;
    this.#now = opts.now ?? Date.now;
  }

  /** False until the table has caught up with the topic: before that, reads would be partial. */
  get ready(): boolean {
    return this.#ready;
  }

  markReady(): void {
    this.#ready = true;
  }

  async create(input: NewSubscription): Promise<Subscription> {
    const sub: Subscription = {
      id: `sub_${randomBytes(16).toString('base64url')}`,
      url: validUrl(input.url),
      ports: validPorts(input.ports ?? []),
      secret: generateSecret(),
      createdAt: this.#now(),
    };
    await this.#write(sub.id, sub);
    return sub;
  }

  /** Oldest first, so pages stay stable as subscriptions are added. */
  list(): Subscription[] {
    return [...this.#table.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  /** Throws ALERTER_ERR_SUBSCRIPTION_NOT_FOUND. */
  get(id: string): Subscription {
    const sub = this.#table.get(id);
    if (sub === undefined) throw subscriptionNotFound(id);
    return sub;
  }

  /** Writes a tombstone. Throws ALERTER_ERR_SUBSCRIPTION_NOT_FOUND if there is nothing to delete. */
  async delete(id: string): Promise<void> {
    this.get(id);
    await this.#write(id, null);
  }

  /** Every subscription that wants `alert`. */
  matching(alert: Alert): Subscription[] {
    return this.list().filter((sub) => matches(sub, alert));
  }

  async #write(id: string, value: Subscription | null): Promise<void> {
    try {
      await this.#writer.write(id, value);
    } catch (err) {
      throw subscriptionWriteFailed(id, err);
    }
    this.#table.apply(id, value);
  }
}

/** Ports empty = every port. */
export function matches(sub: Subscription, alert: Alert): boolean {
  return sub.ports.length === 0 || sub.ports.includes(alert.port);
}

/** Writes subscriptions to the compacted topic, keyed by id; null becomes a tombstone. */
export function kafkaSubscriptionWriter(producer: RecordProducer, topic: string): SubscriptionWriter {
  return {
    write: (id, value) => producer.send(topic, [{ key: id, value: value === null ? null : subscriptionCodec.encode(value) }]),
  };
}

function validUrl(text: string): string {
  if (text.length > MAX_URL_LENGTH) throw subscriptionInvalid('url', `must be at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw subscriptionInvalid('url', 'must be an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw subscriptionInvalid('url', 'must use http or https');
  // fetch refuses URLs with credentials; failing here beats failing every delivery.
  if (url.username !== '' || url.password !== '') throw subscriptionInvalid('url', 'must not contain credentials');
  return text;
}

function validPorts(ports: readonly number[]): number[] {
  if (ports.length > MAX_PORTS) throw subscriptionInvalid('ports', `must have at most ${MAX_PORTS} items`);
  if (!ports.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535)) throw subscriptionInvalid('ports', 'must be integers 1..65535');
  if (new Set(ports).size !== ports.length) throw subscriptionInvalid('ports', 'must not contain duplicates');
  return [...ports];
}
