/**
 * Helpers for integration tests: clients that clean up after the test, and a
 * random topic prefix and group name per test so tests never see each other's data.
 */
import { randomUUID } from 'node:crypto';
import { inject, onTestFinished } from 'vitest';
import { topicNames, topicSpecs } from '../../services/common/kafka/topics.ts';
import type { TopicNames } from '../../services/common/kafka/topics.ts';
import { KafkaTransport } from '../../services/common/kafka/transport.ts';
import type { InRecord, RecordProducer } from '../../services/common/kafka/transport.ts';
import { createLogger } from '../../services/common/logger.ts';
import type { Logger } from '../../services/common/logger.ts';

export const quietLogger: Logger = createLogger('test', 'silent');

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export function testBrokers(): string[] {
  return inject('kafkaBrokers');
}

export function testTransport(clientId = uniqueName('test')): KafkaTransport {
  return new KafkaTransport({ brokers: testBrokers(), clientId, logger: quietLogger });
}

/**
 * Creates every Portent topic under a fresh random prefix; resolves once the
 * broker's metadata has them all. `partitionsOf` overrides the partitions of
 * some topics.
 */
export async function createTestTopics(transport: KafkaTransport, partitions = 3, partitionsOf: Partial<Record<keyof TopicNames, number>> = {}): Promise<TopicNames> {
  const names = topicNames(`${uniqueName('t')}.`);
  const wanted = new Map(Object.entries(partitionsOf).map(([topic, n]) => [names[topic as keyof TopicNames], n]));
  await transport.ensureTopics(topicSpecs(names, partitions).map((s) => ({ ...s, partitions: wanted.get(s.name) ?? s.partitions })), 1);
  return names;
}

export async function testProducer(transport: KafkaTransport): Promise<RecordProducer> {
  const producer = await transport.producer();
  onTestFinished(() => producer.close());
  return producer;
}

/**
 * Reads `topic` from the beginning until `done(records)` holds, polling the
 * records seen so far; fails after `timeoutMs`.
 */
export async function readUntil(transport: KafkaTransport, topic: string, done: (records: InRecord[]) => boolean, timeoutMs = 60_000): Promise<InRecord[]> {
  const records: InRecord[] = [];
  const consumer = transport.consumer({ groupId: uniqueName('reader'), topics: [topic], fromBeginning: true, commitOffsets: false });
  const { promise, resolve } = Promise.withResolvers<undefined>();
  await consumer.run((batch) => {
    records.push(...batch.records);
    if (done(records)) resolve(undefined);
    return Promise.resolve();
  });
  const timer = setTimeout(() => {
    resolve(undefined);
  }, timeoutMs);
  try {
    await promise;
  } finally {
    clearTimeout(timer);
    await consumer.close();
  }
  if (!done(records)) throw new Error(`timed out after ${timeoutMs} ms reading ${topic}: ${records.length} records seen`);
  return records;
}

/** The environment of a service process under test: this process's, pointed at the test broker and `topics`. */
export function serviceEnv(topics: TopicNames): NodeJS.ProcessEnv {
  return { ...process.env, KAFKA_BROKERS: testBrokers().join(','), PORTENT_TOPIC_PREFIX: topics.connections.replace(/connections\.v1$/, '') };
}

