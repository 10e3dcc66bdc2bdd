import type { ConsumerOptions, InBatch, InRecord, OutRecord, RecordConsumer, RecordProducer } from '../../../services/common/kafka/transport.ts';

/**
 * The Kafka seam: a consumer that hands the pipeline the batches a test
 * gives it, and a producer that keeps what it is sent.
 */
export class FakeKafka {
  readonly #topic: string;
  readonly #deadLetter: string;

  constructor(topic: string, deadLetterTopic: string) {
    this.#topic = topic;
    this.#deadLetter = deadLetterTopic;
  }

  readonly sent: { topic: string; record: OutRecord }[] = [];
  consumerOptions: ConsumerOptions | undefined;
  heartbeats = 0;
  closed = false;
  #handler: ((batch: InBatch) => Promise<void>) | undefined;
  #offset = 0;

  readonly producer: RecordProducer = {
    send: (topic, records) => {
      for (const record of records) this.sent.push({ topic, record });
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };

  readonly transport = {
    consumer: (opts: ConsumerOptions): RecordConsumer => {
      this.consumerOptions = opts;
      return {
        run: (handler) => {
          this.#handler = handler;
          return Promise.resolve();
        },
        close: () => {
          this.closed = true;
          return Promise.resolve();
        },
      };
    },
  };

  /** Runs one batch through the pipeline; resolves when the handler does, as the transport would before committing. */
  deliverBatch(values: (Buffer | null)[], timestamp = 0): Promise<void> {
    if (this.#handler === undefined) throw new Error('pipeline is not running');
    const records = values.map((value): InRecord => ({ topic: this.#topic, partition: 0, offset: String(this.#offset++), timestamp, key: 'k', value, headers: {} }));
    return this.#handler({ topic: this.#topic, partition: 0, records, highWatermark: String(this.#offset), heartbeat: () => {
        this.heartbeats++;
        return Promise.resolve();
      },
    });
  }

  deadLetters(): OutRecord[] {
    return this.sent.filter((s) => s.topic === this.#deadLetter).map((s) => s.record);
  }
}
