import { describe, expect, it } from 'vitest';
import { KafkaTransport } from '../../../../services/common/kafka/transport.ts';
import { createTestTopics, quietLogger, readUntil, testProducer, testTransport, uniqueName } from '../../../support/kafka.ts';

// Java's murmur2 of these keys (computed with Kafka's Utils.murmur2), so the
// test does not lean on the code it checks.
const JAVA_MURMUR2: Record<string, number> = { 'tcp/445': -1738680437, 'udp/53': -114729679, 'abc': 479470107, 'foobar': -790332482 };

describe('the idempotent producer against the real broker', () => {
  it('puts keys on the Java client\'s partitions, honours explicit partitions, and keeps headers and tombstones', async () => {
    const transport = testTransport();
    const topic = uniqueName('producer');
    await transport.ensureTopics([{ name: topic, partitions: 12, config: {} }], 1);
    const producer = await testProducer(transport);
    await producer.send(topic, Object.keys(JAVA_MURMUR2).map((key) => ({ key, value: Buffer.from(key), headers: { 'portent-batch-id': `b-${key}`, 'traceparent': '00-x' } })));
    await producer.send(topic, [{ key: 'tcp/445', value: null, partition: 5 }]);

    const records = await readUntil(transport, topic, (r) => r.length >= 5);
    for (const [key, murmur] of Object.entries(JAVA_MURMUR2)) {
      const r = records.find((x) => x.key === key && x.value !== null);
      expect(r?.partition).toBe((murmur & 0x7fffffff) % 12);
      expect(r?.value?.toString()).toBe(key);
      expect(r?.headers).toEqual({ 'portent-batch-id': `b-${key}`, 'traceparent': '00-x' });
    }
    const tombstone = records.find((x) => x.value === null);
    expect(tombstone).toMatchObject({ key: 'tcp/445', partition: 5, value: null });
  });

  it('keeps the order of sends to one partition, and a send\'s records of one partition contiguous', async () => {
    const transport = testTransport();
    const topics = await createTestTopics(transport, 1);
    const producer = await testProducer(transport);
    await Promise.all(Array.from({ length: 20 }, (_, i) => producer.send(topics.connections, Array.from({ length: 5 }, (__, j) => ({ key: 'k', value: Buffer.from(`${i}.${j}`) })))));
    const records = await readUntil(transport, topics.connections, (r) => r.length >= 100);
    const values = records.map((r) => r.value?.toString());
    // Each send's five records are adjacent and in order; sends do not interleave.
    for (let i = 0; i < 100; i += 5) {
      const send = values[i]?.split('.')[0];
      expect(values.slice(i, i + 5)).toEqual([0, 1, 2, 3, 4].map((j) => `${send}.${j}`));
    }
  });

  it('fails to connect within the connect retries, saying why, when no broker listens', async () => {
    const t = new KafkaTransport({ brokers: ['127.0.0.1:1'], clientId: uniqueName('absent'), logger: quietLogger, retry: { retries: 1, maxRetryTimeMs: 200 } });
    const err: unknown = await t.producer().then(() => undefined, (e: unknown) => e);
    expect(String(err)).toMatch(/connecting the producer to Kafka failed: .*(ECONNREFUSED|Connection to 127\.0\.0\.1:1 failed)/);
  });
});
