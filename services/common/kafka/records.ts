/**
 * The records and the small client interfaces every service sees: what is
 * sent, what is fetched, a producer and a group consumer. Here, below both
 * the consumer side (transport.ts) and the producer (producer.ts), so that
 * neither imports the other for its types.
 */
export interface OutRecord {
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * An explicit partition instead of the key's. Records of one send to one
   * partition form one record batch, which the broker appends atomically (the
   * detector's checkpoint relies on it).
   */
  readonly partition?: number;
}

export interface InRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: number;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface InBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly InRecord[];
  /** The partition's high watermark when the batch was fetched: the offset one past its last record (consumer lag = this - next offset). */
  readonly highWatermark: string;
  /** Keep the group membership alive during long work on one batch. */
  heartbeat(): Promise<void>;
  /**
   * Read this partition again from `offset` (e.g. back to where a restored
   * checkpoint ends): the rest of the current fetch for the partition is
   * dropped, and the offset is committed as the group's position before the
   * next fetch. Optional so that test doubles need not provide it.
   */
  seek?(offset: string): void;
}

export interface SendOptions {
  /**
   * Compress the send's record batches. gzip only: kafkajs, the consumers'
   * client, reads it without a codec plugin. The broker's size limits apply
   * to the compressed batch.
   */
  readonly compression?: 'gzip';
}

export interface RecordProducer {
  /** Resolves once every record is acknowledged by all in-sync replicas. */
  send(topic: string, records: readonly OutRecord[], options?: SendOptions): Promise<void>;
  close(): Promise<void>;
}

export interface RecordConsumer {
  /**
   * Runs `handler` for each fetched batch, one partition at a time. Offsets
   * are committed only after the handler resolves, so processing is
   * at-least-once. A handler that throws makes the batch be fetched again.
   */
  run(handler: (batch: InBatch) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}
