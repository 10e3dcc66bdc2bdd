import { randomBytes } from 'node:crypto';
import type { Alert, Subscription } from '../common/avro/generated-types.ts';
import { subscriptionCodec } from '../common/avro/codecs.ts';
import type { CompactedTable } from '../common/kafka/table.ts';
import type { RecordProducer } from '../common/kafka/transport.ts';
import { subscriptionNotFound, subscriptionWriteFailed } from './errors.ts';
import { wants } from './filters.ts';
import type { SubscriptionFilter } from './filters.ts';
import { generateEd25519, generateSecret } from './secrets.ts';
import { applySettings } from './subscription-settings.ts';
import type { SubscriptionSettings } from './subscription-settings.ts';
import type { Clock } from '../common/clock.ts';

export { MAX_PORTS, MAX_URL_LENGTH } from './subscription-settings.ts';
export type { SubscriptionSettings } from './subscription-settings.ts';

/** Where subscription changes go: the compacted topic in production, a Map in tests. null deletes. */
export interface SubscriptionWriter {
  write(id: string, value: Subscription | null): Promise<void>;
}

/** The part of CompactedTable the store needs. */
export type SubscriptionTable = Pick<CompactedTable<Subscription>, 'get' | 'values' | 'apply'>;

export interface NewSubscription extends SubscriptionSettings {
  readonly url: string;
  /** 'ed25519' adds v1a signatures next to the v1 HMAC one. */
  readonly signing?: 'hmac' | 'ed25519' | undefined;
}

export interface SubscriptionStoreOptions {
  readonly table: SubscriptionTable;
  readonly writer: SubscriptionWriter;
  /** Epoch ms; injectable so tests get stable createdAt values. */
  readonly now: Clock;
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
  readonly #now: Clock;
  #ready = false;

  constructor(opts: SubscriptionStoreOptions) {
    this.#table = opts.table;
    this.#writer = opts.writer;
    this.#now = opts.now;
  }

  /** False until the table has caught up with the topic: before that, reads would be partial. */
  get ready(): boolean {
    return this.#ready;
  }

  markReady(): void {
    this.#ready = true;
  }

  async create(input: NewSubscription): Promise<Subscription> {
    const now = this.#now();
    const base: Subscription = {
      id: `sub_${randomBytes(16).toString('base64url')}`,
      url: '',
      ports: [],
      secret: generateSecret(),
      createdAt: now,
      portRanges: [],
      protocols: [],
      kinds: [],
      states: [],
      minSeverity: null,
      minRisk: null,
      format: 'CLOUDEVENTS',
      paused: false,
      disabledReason: null,
      previousSecrets: [],
      signingKey: input.signing === 'ed25519' ? generateEd25519().privateKey : null,
      routingKey: null,
      updatedAt: now,
    };
    const sub = applySettings(base, input);
    await this.#write(sub.id, sub);
    return sub;
  }

  /** Changes the given settings; the secret, id and creation time stay. */
  async update(id: string, patch: SubscriptionSettings): Promise<Subscription> {
    return this.#replace(applySettings(this.get(id), patch));
  }

  /** Pause (true) or resume (false). Resuming also clears a disable, so an owner who fixed the receiver can turn it back on. */
  async setPaused(id: string, paused: boolean): Promise<Subscription> {
    return this.#replace({ ...this.get(id), paused, ...(paused ? {} : { disabledReason: null }) });
  }

  /** Set by the delivery side (410 Gone, sustained failure). Idempotent: a second replica disabling again changes nothing. */
  async disable(id: string, reason: string): Promise<Subscription | undefined> {
    const sub = this.#table.get(id);
    if (sub === undefined || sub.disabledReason !== null) return undefined;
    return this.#replace({ ...sub, disabledReason: reason });
  }

  /**
   * A new secret; the old one keeps signing for `graceMs`, so receivers that
   * have not switched yet still verify (both signatures are sent meanwhile).
   */
  async rotate(id: string, graceMs: number): Promise<Subscription> {
    const sub = this.get(id);
    const now = this.#now();
    const kept = sub.previousSecrets.filter((p) => p.expiresAt > now);
    const previousSecrets = graceMs > 0 ? [...kept, { secret: sub.secret, expiresAt: now + graceMs }] : kept;
    return this.#replace({ ...sub, secret: generateSecret(), previousSecrets });
  }

  async #replace(sub: Subscription): Promise<Subscription> {
    const next = { ...sub, updatedAt: this.#now() };
    await this.#write(next.id, next);
    return next;
  }

  /** Oldest first, so pages stay stable as subscriptions are added. */
  list(): Subscription[] {
    return [...this.#table.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  find(id: string): Subscription | undefined {
    return this.#table.get(id);
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
    return this.list().filter((sub) => active(sub) && matches(sub, alert));
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

export function matches(sub: SubscriptionFilter, alert: Alert): boolean {
  return wants(sub, alert);
}

/** Paused and disabled subscriptions receive nothing. */
export function active(sub: Pick<Subscription, 'paused' | 'disabledReason'>): boolean {
  return !sub.paused && sub.disabledReason === null;
}

export function kafkaSubscriptionWriter(producer: RecordProducer, topic: string): SubscriptionWriter {
  return {
    write: (id, value) => producer.send(topic, [{ key: id, value: value === null ? null : subscriptionCodec.encode(value) }]),
  };
}
