/**
 * Events from an input -> (pseudonymised) -> batched per protocol/port ->
 * Avro -> delivery. Events are gathered up to `flushEvents` or for at most
 * `flushMs` (so a quiet live capture still publishes within a second), then
 * cut into records of at most `batchEvents` events each.
 */
import { randomBytes } from 'node:crypto';
import { connectionBatchCodec } from '../common/avro/codecs.ts';
import type { ConnectionEvent } from '../common/avro/generated-types.ts';
import { toBatches } from './batching.ts';
import type { HotPorts } from './batching.ts';
import type { Pseudonymizer } from './pseudonym.ts';
import type { SpooledRecord } from './spool.ts';
import { batchSpan } from './tracing.ts';

export interface PipelineOptions {
  readonly sensorId: string;
  readonly batchEvents: number;
  readonly pseudonymizer: Pseudonymizer | undefined;
  readonly publish: (records: readonly SpooledRecord[]) => Promise<void>;
  readonly flushMs?: number;
  /**
   * Most event time one flush may cover (default 5 s). Each flush becomes one
   * record per port, so this bounds how far out of event-time order the
   * records of one partition can be; kept under the detector's allowed
   * lateness (10 s by default), a file replayed as fast as possible makes no
   * event late, and detection does not depend on replay speed.
   */
  readonly flushSpanMs?: number;
  /** Ports published under per-source sub-keys (PORTENT_SENSOR_HOT_PORTS; detector README, "Scale and hot ports"). */
  readonly hotPorts?: HotPorts | undefined;
}

export class Pipeline {
  readonly #o: PipelineOptions;
  readonly #run = randomBytes(4).toString('hex');
  readonly #flushEvents: number;
  #seq = 0;
  #buffer: ConnectionEvent[] = [];
  /** Event time of the buffer's first event. */
  #spanStart = 0;
  readonly #flushSpanMs: number;
  #chain: Promise<void> = Promise.resolve();
  readonly #timer: NodeJS.Timeout;

  constructor(opts: PipelineOptions) {
    this.#o = opts;
    this.#flushEvents = Math.max(opts.batchEvents * 10, 5000);
    this.#flushSpanMs = opts.flushSpanMs ?? 5000;
    this.#timer = setInterval(() => {
      void this.flush().catch(() => undefined);
    }, opts.flushMs ?? 1000);
    this.#timer.unref();
  }

  /**
   * Takes a chunk of events; resolves once the pipeline has room again
   * (backpressure). A flush this call starts is published while the caller
   * reads on: the call waits only for the flushes started before it, so the
   * input's parsing overlaps the broker's round trip (acks=all) instead of
   * taking turns with it, and at most one call's flushes are in flight.
   * A failed publish is reported by the next call (or by close()).
   */
  async add(events: readonly ConnectionEvent[]): Promise<void> {
    const before = this.#chain;
    const p = this.#o.pseudonymizer;
    for (const e of events) {
      if (p !== undefined) e.dstIp = p.address(e.dstIp);
      if (this.#buffer.length === 0) this.#spanStart = e.eventTime;
      else if (Math.abs(e.eventTime - this.#spanStart) >= this.#flushSpanMs) {
        void this.flush().catch(() => undefined);
        this.#spanStart = e.eventTime;
      }
      this.#buffer.push(e);
    }
    if (this.#buffer.length >= this.#flushEvents) void this.flush().catch(() => undefined);
    if (this.#chain !== before) await before;
  }

  /** Publishes everything gathered so far; flushes run one after another. */
  flush(): Promise<void> {
    // One failed flush must not block every later one: each starts from a settled chain.
    // The buffer is taken now, so that what is added next goes into the next flush.
    const events = this.#buffer;
    this.#buffer = [];
    this.#chain = this.#chain.catch(() => undefined).then(() => this.#publish(events));
    return this.#chain;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    const inFlight = this.#chain;
    await this.flush();
    // The flush chain starts each publish from a settled chain; the one in flight still reports its failure.
    await inFlight;
  }

  async #publish(events: ConnectionEvent[]): Promise<void> {
    if (events.length === 0) return;
    const spans: ReturnType<typeof batchSpan>[] = [];
    const records = toBatches(this.#o.sensorId, events, this.#o.batchEvents, this.#o.hotPorts).map((b): SpooledRecord => {
      const id = `${this.#o.sensorId}/${this.#run}/${this.#seq++}`;
      const span = batchSpan(b.key, id, b.batch.events.length);
      spans.push(span);
      return { key: b.key, id, value: connectionBatchCodec.encode(b.batch), events: b.batch.events.length, traceparent: span.traceparent };
    });
    try {
      await this.#o.publish(records);
    } finally {
      for (const s of spans) s.end();
    }
  }
}
