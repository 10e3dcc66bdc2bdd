/**
 * Committed offsets of a consumer group next to the topic's end offsets, read
 * with the Kafka admin API, for tests that check what a service committed.
 */
import { Kafka, logLevel } from 'kafkajs';
import { testBrokers } from './kafka.ts';

export interface PartitionOffsets {
  readonly partition: number;
  /** Next offset the group reads; 0 when it has committed nothing. */
  readonly committed: number;
  readonly end: number;
}

export async function groupOffsets(groupId: string, topic: string): Promise<PartitionOffsets[]> {
  const admin = new Kafka({ brokers: testBrokers(), clientId: 'test-offsets', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    return ends
      .map((e) => {
        const c = committed?.partitions.find((p) => p.partition === e.partition)?.offset ?? '-1';
        return { partition: e.partition, committed: Math.max(0, Number(c)), end: Number(e.high) };
      })
      .sort((a, b) => a.partition - b.partition);
  } finally {
    await admin.disconnect();
  }
}

export function sumCommitted(offsets: readonly PartitionOffsets[]): number {
  return offsets.reduce((n, p) => n + p.committed, 0);
}

/** Polls until `done(offsets)` holds; fails after `timeoutMs`. */
export async function waitForOffsets(groupId: string, topic: string, done: (o: PartitionOffsets[]) => boolean, timeoutMs = 60_000): Promise<PartitionOffsets[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const offsets = await groupOffsets(groupId, topic);
    if (done(offsets)) return offsets;
    if (Date.now() > deadline) throw new Error(`offsets of ${groupId} on ${topic} never settled: ${JSON.stringify(offsets)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Polls until the group has committed every record of `topic` (a "not the leader" answer while metadata settles is retried). */
export async function allCommitted(groupId: string, topic: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const offsets = await groupOffsets(groupId, topic).catch(() => []);
    if (offsets.length > 0 && offsets.every((p) => p.committed >= p.end)) return;
    if (Date.now() > deadline) throw new Error(`${groupId} did not commit all of ${topic}: ${JSON.stringify(offsets)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
