/**
 * Gets batches to the broker, or to the disk spool while it is away.
 *
 * - With an empty spool, a batch goes straight to the idempotent producer,
 *   whose sends are bounded (a few retries) so that an outage is noticed.
 * - A failed send puts the batch in the spool; from then on every batch is
 *   appended behind it (per-port order is kept), and a drain loop sends the
 *   spool oldest first, with backoff, until it is empty again.
 * - close() drains for at most `graceMs`; what is left stays on disk and is
 *   sent by the next run.
 * - No send carries more than SEND_BYTES of records (send-size.ts): the
 *   broker refuses a record batch over its message.max.bytes (1 MiB by
 *   default), and one send's records for one partition form one batch. A
 *   hot port's records all go to one partition, so a large flush or a spool
 *   backlog is sent in several sends, one after another (order kept).
 *
 * Every record carries a `portent-batch-id` header (sensor, run, sequence):
 * if a send fails *after* the broker wrote it (a timeout on the reply), the
 * spooled copy is written again, and consumers can tell the copy by its id.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CommonErrorCodes } from '../common/errors.ts';
import type { PortentError } from '../common/errors.ts';
import { kafkaFailure } from '../common/kafka/reach.ts';
import type { ReachOptions } from '../common/kafka/reach.ts';
import { SEND_BYTES, sendSized } from '../common/kafka/send-size.ts';
import type { OutRecord, RecordProducer } from '../common/kafka/transport.ts';
import type { Logger } from '../common/logger.ts';
import { TRACEPARENT_HEADER } from '../common/telemetry/propagation.ts';
import type { SensorMetrics } from './metrics.ts';
import { recordSendDuration } from './telemetry.ts';
import type { Spool, SpooledRecord } from './spool.ts';

export const BATCH_ID_HEADER = 'portent-batch-id';
const DRAIN_RECORDS = 200;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5_000;

export interface DeliveryOptions {
  readonly connect: () => Promise<RecordProducer>;
  /** Where the producer connects, for the log lines that say why batches are spooled. */
  readonly kafka: Pick<ReachOptions, 'brokers' | 'security'>;
  /** Kafka refused the credentials: spooling cannot help, the operator must fix them (the sensor exits). */
  readonly onRefused: (err: PortentError) => void;
  readonly topic: string;
  readonly spool: Spool;
  readonly metrics: SensorMetrics;
  readonly logger: Logger;
}

export class Delivery {
  readonly #o: DeliveryOptions;
  #producer: RecordProducer | undefined;
  #draining: Promise<void> | undefined;
  #closing = false;
  /** Said "spooling" and not yet "reachable again": one line per outage, not one per failed send. */
  #outageLogged = false;

  constructor(opts: DeliveryOptions) {
    this.#o = opts;
    this.#updateDepth();
    if (!opts.spool.isEmpty()) this.#startDrain();
  }

  async publish(records: readonly SpooledRecord[]): Promise<void> {
    if (records.length === 0) return;
    let sent = 0;
    if (this.#o.spool.isEmpty() && this.#draining === undefined) {
      for (const part of sendSized(records, recordBytes)) {
        if (!(await this.#trySend(part))) break;
        sent += part.length;
      }
      if (sent === records.length) return;
    }
    // What was not sent waits in the spool, behind anything already there.
    this.#o.spool.append(records.slice(sent));
    this.#updateDepth();
    this.#startDrain();
  }

  /** Drains the spool for at most `graceMs`, then closes the producer. */
  async close(graceMs: number): Promise<void> {
    const deadline = Date.now() + graceMs;
    while (!this.#o.spool.isEmpty() && Date.now() < deadline) {
      this.#startDrain();
      await Promise.race([this.#draining, sleep(Math.max(0, deadline - Date.now()), undefined, { ref: false })]);
    }
    this.#closing = true;
    await this.#draining;
    this.#o.spool.close();
    await this.#producer?.close().catch(() => undefined);
    this.#producer = undefined;
  }

  async #trySend(records: readonly SpooledRecord[]): Promise<boolean> {
    const began = performance.now();
    try {
      this.#producer ??= await this.#o.connect();
      await this.#producer.send(this.#o.topic, records.map(toRecord));
      recordSendDuration((performance.now() - began) / 1000, true);
    } catch (err) {
      recordSendDuration((performance.now() - began) / 1000, false);
      this.#failed(err);
      const stale = this.#producer;
      this.#producer = undefined;
      await stale?.close().catch(() => undefined);
      return false;
    }
    if (this.#outageLogged) this.#o.logger.info({ brokers: this.#o.kafka.brokers, spool: this.#o.spool.depth() }, `Kafka at ${this.#o.kafka.brokers.join(',')} reachable again: sending the spool`);
    this.#outageLogged = false;
    this.#o.metrics.brokerUp = true;
    this.#o.metrics.recordsPublished += records.length;
    this.#o.metrics.eventsPublished += records.reduce((n, r) => n + r.events, 0);
    return true;
  }

  /** One line per outage naming the brokers, the cause and the spool; the client's error tree only at debug. */
  #failed(err: unknown): void {
    this.#o.metrics.brokerUp = false;
    const failure = kafkaFailure(this.#o.kafka, err);
    if (failure.code === CommonErrorCodes.KAFKA_AUTH_FAILED) {
      this.#o.onRefused(failure);
      return;
    }
    if (this.#outageLogged) return;
    this.#outageLogged = true;
    const { logger, spool } = this.#o;
    const debug = logger.isLevelEnabled('debug') ? { err } : {};
    logger.warn({ code: failure.code, brokers: this.#o.kafka.brokers, spoolDir: spool.dir, ...debug }, `spooling to ${spool.dir} until Kafka is back: ${failure.message}`);
  }

  #startDrain(): void {
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
  }

  async #drain(): Promise<void> {
    let backoff = BACKOFF_MIN_MS;
    while (!this.#closing) {
      const read = this.#o.spool.read(DRAIN_RECORDS, SEND_BYTES);
      if (read === undefined) return;
      if (await this.#trySend(read.records)) {
        this.#o.spool.ack(read);
        this.#updateDepth();
        backoff = BACKOFF_MIN_MS;
      } else {
        await sleep(backoff);
        backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
      }
    }
  }

  #updateDepth(): void {
    this.#o.metrics.spool = this.#o.spool.depth();
  }
}

/** A record's bytes as the spool frames it (what spool.read's byte bound counts): the value, key, id, trace context and lengths. */
function recordBytes(r: SpooledRecord): number {
  return 8 + 10 + r.value.length + Buffer.byteLength(r.key) + Buffer.byteLength(r.id) + (r.traceparent?.length ?? 0);
}

/** The Kafka record of a batch: its id (for consumers to drop a re-sent copy) and its trace context. */
function toRecord(r: SpooledRecord): OutRecord {
  const headers = r.traceparent === undefined ? { [BATCH_ID_HEADER]: r.id } : { [BATCH_ID_HEADER]: r.id, [TRACEPARENT_HEADER]: r.traceparent };
  return { key: r.key, value: r.value, headers };
}
