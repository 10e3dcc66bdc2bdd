/**
 * The console's Kafka edge: follows port-stats.v1 and alerts.v1 into the
 * store. The positions live in the store itself, so the consumer group is a
 * throw-away one that commits nothing; each partition's first fetch seeks to
 * where the store ends (from the oldest retained record when it is empty,
 * which is how a deleted store is rebuilt).
 *
 * `caughtUp` resolves once every partition has been read up to its end at
 * start: before that, charts would show a partial past.
 */
import { randomUUID } from 'node:crypto';
import type { KafkaTransport, RecordConsumer } from '../../common/kafka/transport.ts';
import type { Logger } from '../../common/logger.ts';
import type { Materialiser } from '../materialiser.ts';
import { recordsStored } from '../telemetry.ts';

export interface Follower {
  readonly caughtUp: Promise<void>;
  readonly isCaughtUp: () => boolean;
  close(): Promise<void>;
}

export async function followTopics(opts: {
  readonly transport: KafkaTransport;
  readonly topics: readonly string[];
  readonly groupId: string;
  readonly materialiser: Materialiser;
  readonly logger: Logger;
}): Promise<Follower> {
  const { materialiser } = opts;
  const pending = new Map<string, bigint>();
  for (const topic of opts.topics) {
    for (const [partition, end] of await opts.transport.endOffsets(topic)) {
      if (end > (materialiser.resumeAt(topic, partition) ?? 0n)) pending.set(`${topic}/${partition}`, end);
    }
  }
  const { promise: caughtUp, resolve } = Promise.withResolvers<undefined>();
  let done = false;
  const settle = (): void => {
    if (pending.size === 0 && !done) {
      done = true;
      resolve(undefined);
    }
  };
  settle();
  const sought = new Set<string>();
  const consumer: RecordConsumer = opts.transport.consumer({ groupId: `${opts.groupId}-${randomUUID()}`, topics: opts.topics, fromBeginning: true, commitOffsets: false });
  const running = consumer.run((batch) => {
    const key = `${batch.topic}/${batch.partition}`;
    const resume = materialiser.resumeAt(batch.topic, batch.partition);
    const first = batch.records[0];
    if (!sought.has(key) && resume !== undefined && first !== undefined && BigInt(first.offset) < resume && batch.seek !== undefined) {
      sought.add(key);
      batch.seek(resume.toString());
      return Promise.resolve();
    }
    sought.add(key);
    const result = materialiser.apply(batch.topic, batch.partition, batch.records);
    recordsStored(batch.topic, result.stored, result.skipped);
    const end = pending.get(key);
    const last = batch.records.at(-1);
    if (end !== undefined && last !== undefined && BigInt(last.offset) + 1n >= end) pending.delete(key);
    settle();
    return Promise.resolve();
  });
  running.catch((err: unknown) => {
    opts.logger.error({ err }, 'console consumer failed');
  });
  return { caughtUp, isCaughtUp: () => done, close: () => consumer.close() };
}
