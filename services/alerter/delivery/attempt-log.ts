import { alertCodec, deliveryAttemptCodec } from '../../common/avro/codecs.ts';
import type { Alert, DeliveryAttempt } from '../../common/avro/generated-types.ts';
import { sendInParts } from '../../common/kafka/send-size.ts';
import type { CompactedTable } from '../../common/kafka/table.ts';
import type { OutRecord, RecordProducer } from '../../common/kafka/transport.ts';
import type { Logger } from '../../common/logger.ts';
import type { AttemptEvent } from './deliver.ts';

/** Per subscription, at most this many attempts are kept in memory (newest win). */
export const MAX_ATTEMPTS_PER_SUBSCRIPTION = 500;

/** Attempt records wait at most this long to be written, in one batch. */
const FLUSH_EVERY_MS = 20;

/**
 * The delivery-attempt log. Every replica writes its attempts to the
 * delivery-attempts topic and reads everyone's back (a CompactedTable over a
 * delete-policy topic: keys are unique, so nothing is ever overwritten), so
 * GET /attempts answers the same on every replica and a replay can run
 * anywhere: each record carries the alert it delivered.
 */
export class AttemptLog {
  readonly #table: Pick<CompactedTable<DeliveryAttempt>, 'values' | 'apply'>;
  readonly #producer: Pick<RecordProducer, 'send'> | undefined;
  readonly #topic: string;
  readonly #log: Logger;
  #buffer: OutRecord[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: { table: Pick<CompactedTable<DeliveryAttempt>, 'values' | 'apply'>; producer?: Pick<RecordProducer, 'send'>; topic: string; logger: Logger }) {
    this.#table = opts.table;
    this.#producer = opts.producer;
    this.#topic = opts.topic;
    this.#log = opts.logger;
  }

  /**
   * Fire and forget: the log is for operators; a broker hiccup must not fail
   * a delivery. Records are batched (one produce request per flush, at most
   * FLUSH_EVERY_MS apart), so logging costs the delivery path almost nothing.
   */
  record(event: AttemptEvent, alert: Alert | Buffer): void {
    // Callers that log several attempts of one alert pass it encoded once.
    const value: DeliveryAttempt = { ...event, durationMs: Math.round(event.durationMs), alert: Buffer.isBuffer(alert) ? alert : alertCodec.encode(alert) };
    const key = `${event.subscriptionId}/${event.webhookId}/${event.attempt}/${event.at}`;
    this.#table.apply(key, value);
    if (this.#producer === undefined) return;
    this.#buffer.push({ key, value: deliveryAttemptCodec.encode(value) });
    this.#timer ??= setTimeout(() => {
      void this.flush();
    }, FLUSH_EVERY_MS);
  }

  /** Sends what is buffered; main.ts calls it once more at shutdown. */
  async flush(): Promise<void> {
    const records = this.#buffer;
    this.#buffer = [];
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (records.length === 0 || this.#producer === undefined) return;
    await sendInParts(this.#producer, this.#topic, records).catch((err: unknown) => {
      this.#log.warn({ err, records: records.length }, 'could not write delivery attempts');
    });
  }

  /** Newest first. */
  list(subscriptionId: string, limit: number): DeliveryAttempt[] {
    const mine = [...this.#table.values()].filter((a) => a.subscriptionId === subscriptionId);
    return mine.sort((a, b) => b.at - a.at || b.attempt - a.attempt).slice(0, Math.min(limit, MAX_ATTEMPTS_PER_SUBSCRIPTION));
  }

  /** The newest attempt of one webhook to one subscription. */
  latest(subscriptionId: string, webhookId: string): DeliveryAttempt | undefined {
    return this.list(subscriptionId, MAX_ATTEMPTS_PER_SUBSCRIPTION).find((a) => a.webhookId === webhookId);
  }

  /** Webhooks whose latest attempt at or after `sinceMs` failed and that never succeeded since: what "recover" resends. */
  failedSince(subscriptionId: string, sinceMs: number): DeliveryAttempt[] {
    const latest = new Map<string, DeliveryAttempt>();
    for (const a of this.list(subscriptionId, MAX_ATTEMPTS_PER_SUBSCRIPTION).reverse()) latest.set(a.webhookId, a);
    return [...latest.values()].filter((a) => a.error !== null && a.at >= sinceMs).sort((a, b) => a.at - b.at);
  }

  /** Drops what is beyond the per-subscription cap, so memory stays bounded however long a replica runs. */
  prune(keyOf: (a: DeliveryAttempt) => string = (a) => `${a.subscriptionId}/${a.webhookId}/${a.attempt}/${a.at}`): void {
    const bySub = new Map<string, DeliveryAttempt[]>();
    for (const a of this.#table.values()) bySub.set(a.subscriptionId, [...(bySub.get(a.subscriptionId) ?? []), a]);
    for (const list of bySub.values()) {
      if (list.length <= MAX_ATTEMPTS_PER_SUBSCRIPTION) continue;
      list.sort((a, b) => b.at - a.at);
      for (const old of list.slice(MAX_ATTEMPTS_PER_SUBSCRIPTION)) this.#table.apply(keyOf(old), null);
    }
  }
}
