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
import type { Pseudonymizer } from './pseudonym.ts';
import type { SpooledRecord } from './spool.ts';

export interface PipelineOptions {
  readonly sensorId: string;
  readonly batchEvents: number;
  readonly pseudonymizer: Pseudonymizer | undefined;
  readonly publish: (records: readonly SpooledRecord[]) => Promise<void>;
  readonly flushMs?: number;
}

export class Pipeline {
  readonly #o: PipelineOptions;
  readonly #run = randomBytes(4).toString('hex');
  readonly #flushEvents: number;
  #seq = 0;
  #buffer: ConnectionEvent[] = [];
  #chain: Promise<void> = Promise.resolve();
  readonly #timer: NodeJS.Timeout;

  constructor(opts: PipelineOptions) {
    this.#o = opts;
    this.#flushEvents = Math.max(opts.batchEvents * 10, 5000);
    this.#timer = setInterval(() => {
      void this.flush().catch(() => undefined);
    }, opts.flushMs ?? 1000);
    this.#timer.unref();
  }

  /** Takes a chunk of events; resolves once the pipeline has room again (backpressure). */
  async add(events: readonly ConnectionEvent[]): Promise<void> {
    const p = this.#o.pseudonymizer;
    for (const e of events) {
      if (p !== undefined) e.dstIp = p.address(e.dstIp);
      this.#buffer.push(e);
    }
    if (this.#buffer.length >= this.#flushEvents) await this.flush();
  }

  /** Publishes everything gathered so far; flushes run one after another. */
  flush(): Promise<void> {
    // One failed flush must not block every later one: each starts from a settled chain.
    this.#chain = this.#chain.catch(() => undefined).then(() => this.#flushNow());
    return this.#chain;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
  }

  async #flushNow(): Promise<void> {
    if (this.#buffer.length === 0) return;
    const events = this.#buffer;
    this.#buffer = [];
    const records = toBatches(this.#o.sensorId, events, this.#o.batchEvents).map((b) => ({
      key: b.key,
      id: `${this.#o.sensorId}/${this.#run}/${this.#seq++}`,
      value: connectionBatchCodec.encode(b.batch),
      events: b.batch.events.length,
    }));
    await this.#o.publish(records);
  }
}
