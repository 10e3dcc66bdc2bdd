import { describe, expect, it } from 'vitest';
import { kafkaError, partitionOf } from '../../../../services/common/kafka/producer.ts';

const message = { topic: 'connections.v1' };
const context = { metadata: undefined };

describe('the producer\'s partitioner', () => {
  // Kafka's own test vectors for Utils.murmur2 (clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java):
  // the Java client puts a key on (murmur2 & 0x7fffffff) % partitions, and so did kafkajs's DefaultPartitioner.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('places key %s where the Java client does', (key, javaMurmur2) => {
    const picked = partitionOf(message, Buffer.from(key), context);
    expect(picked).toBe(javaMurmur2 & 0x7fffffff);
    // The send takes it modulo the partition count, as the Java client does.
    expect(picked % 12).toBe((javaMurmur2 & 0x7fffffff) % 12);
  });

  it('spreads records without a key over the partitions in turn', () => {
    const topic = { topic: `no-key-${Math.random()}` };
    const picks = Array.from({ length: 6 }, () => partitionOf(topic, undefined, context) % 3);
    expect(picks).toEqual([0, 1, 2, 0, 1, 2]);
  });
});

describe('kafkaError', () => {
  it('names what failed underneath, with the broker\'s own explanation, once per distinct cause', () => {
    const refusal = Object.assign(new Error('SASL authentication failed.'), { serverErrorMessage: 'invalid credentials with SASL mechanism SCRAM-SHA-512' });
    const attempt = new Error('Connection to 10.0.0.1:9093 failed.', { cause: new Error('SASL authentication failed.', { cause: new AggregateError([refusal], 'response with error') }) });
    const tree = new AggregateError([new AggregateError([attempt], 'Cannot connect to any broker.'), new AggregateError([attempt], 'Cannot connect to any broker.')], 'metadata failed 2 times.');
    const err = kafkaError('connecting the producer to Kafka failed', tree);
    expect(err.message).toBe('connecting the producer to Kafka failed: SASL authentication failed. (broker: invalid credentials with SASL mechanism SCRAM-SHA-512)');
    expect(err.cause).toBe(tree);
  });

  it('keeps a long list of causes readable', () => {
    const tree = new AggregateError(['a', 'b', 'c', 'd', 'e'].map((m) => new Error(m)), 'top');
    expect(kafkaError('producing failed', tree).message).toBe('producing failed: a; b; c; and 2 more');
  });
});
