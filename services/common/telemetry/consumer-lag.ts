import { metrics } from '@opentelemetry/api';
import type { InBatch } from '../kafka/transport.ts';

/**
 * Consumer lag per partition, as Prometheus sees it: records between the
 * partition's end (high watermark at fetch time) and the consumer's next
 * offset, measured after each handled batch. This is the same figure KEDA's
 * Kafka scaler computes from committed offsets, but per replica and without
 * a round trip to the broker; a partition no longer owned keeps its last
 * value until `forget` (it stops moving, which a dashboard shows plainly).
 */
export class ConsumerLag {
  readonly #lag = new Map<string, { topic: string; partition: number; lag: number }>();

  constructor(group: string) {
    const gauge = metrics.getMeter('portent').createObservableGauge('portent.consumer.lag', {
      description: 'Records from the consumer position to the end of the partition, after the last handled batch',
      unit: '{record}',
    });
    gauge.addCallback((result) => {
      for (const v of this.#lag.values()) result.observe(v.lag, { group, topic: v.topic, partition: v.partition });
    });
  }

  /** After `batch` is handled: its last offset + 1 is the consumer's next position. */
  handled(batch: Pick<InBatch, 'topic' | 'partition' | 'records' | 'highWatermark'>): void {
    const last = batch.records.at(-1);
    if (last === undefined) return;
    const lag = Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n);
    this.#lag.set(`${batch.topic}/${batch.partition}`, { topic: batch.topic, partition: batch.partition, lag: Math.max(0, lag) });
  }

  forget(topic: string, partition: number): void {
    this.#lag.delete(`${topic}/${partition}`);
  }
}
