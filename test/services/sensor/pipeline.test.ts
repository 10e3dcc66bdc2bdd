import { describe, expect, it } from 'vitest';
import { connectionBatchCodec } from '../../../services/common/avro/codecs.ts';
import type { ConnectionEvent } from '../../../services/common/avro/generated-types.ts';
import { Pipeline } from '../../../services/sensor/pipeline.ts';
import type { SpooledRecord } from '../../../services/sensor/spool.ts';

const T0 = Date.parse('2026-11-27T08:00:00Z');

function event(i: number, eventTime: number, dstPort = 445): ConnectionEvent {
  return { eventTime, protocol: 'TCP', srcIp: `198.51.100.${i % 250}`, srcPort: 40000 + (i % 1000), dstIp: '203.0.113.7', dstPort, outcome: 'ATTEMPT' };
}

function capture(opts: { flushSpanMs?: number } = {}): { pipeline: Pipeline; flushes: SpooledRecord[][] } {
  const flushes: SpooledRecord[][] = [];
  const pipeline = new Pipeline({
    sensorId: 's1',
    batchEvents: 500,
    pseudonymizer: undefined,
    publish: (records) => {
      flushes.push([...records]);
      return Promise.resolve();
    },
    ...opts,
  });
  return { pipeline, flushes };
}

const times = (records: readonly SpooledRecord[]): number[] => records.flatMap((r) => connectionBatchCodec.decode(r.value).events.map((e) => e.eventTime));

describe('sensor Pipeline', () => {
  it('cuts a fast replay so that no flush covers 5 s of event time or more, losing no event', async () => {
    const { pipeline, flushes } = capture();
    // Two minutes of events, one every 50 ms, handed over in one call as a replay at full speed would.
    const events = Array.from({ length: 2400 }, (_, i) => event(i, T0 + i * 50));
    await pipeline.add(events);
    await pipeline.close();
    expect(flushes.length).toBeGreaterThanOrEqual(24);
    for (const flush of flushes) {
      const ts = times(flush);
      expect(Math.max(...ts) - Math.min(...ts)).toBeLessThan(5000);
    }
    expect(times(flushes.flat()).sort((a, b) => a - b)).toEqual(events.map((e) => e.eventTime));
  });

  it('keeps events of one slice of event time in one flush, one record per port', async () => {
    const { pipeline, flushes } = capture({ flushSpanMs: 60_000 });
    await pipeline.add([event(1, T0), event(2, T0 + 1000, 22), event(3, T0 + 2000)]);
    await pipeline.close();
    expect(flushes).toHaveLength(1);
    expect(flushes[0]?.map((r) => [r.key, r.events])).toEqual([
      ['tcp/445', 2],
      ['tcp/22', 1],
    ]);
  });

  it('reads on while one flush is published, and waits for it before the next', async () => {
    const sends: { records: readonly SpooledRecord[]; done: () => void }[] = [];
    const pipeline = new Pipeline({
      sensorId: 's1',
      batchEvents: 500,
      pseudonymizer: undefined,
      publish: (records) => new Promise<void>((resolve) => sends.push({ records, done: resolve })),
    });
    const full = (from: number) => Array.from({ length: 5000 }, (_, i) => event(from + i, T0 + i));
    // The first full buffer is handed over and the call returns at once: its publish is still in flight.
    await pipeline.add(full(0));
    expect(sends).toHaveLength(1);
    // The second full buffer waits for the first publish, not for its own.
    let second = false;
    const adding = pipeline.add(full(5000)).then(() => (second = true));
    await Promise.resolve();
    expect(second).toBe(false);
    sends[0]?.done();
    await adding;
    // The second publish starts once the first is done (order kept), and is in flight when add returns.
    await new Promise((resolve) => setImmediate(resolve));
    expect(sends).toHaveLength(2);
    sends[1]?.done();
    await pipeline.close();
    expect(sends.flatMap((s) => s.records).reduce((n, r) => n + r.events, 0)).toBe(10_000);
  });

  it('reports a failed publish to the next call and to close', async () => {
    const pipeline = new Pipeline({
      sensorId: 's1',
      batchEvents: 500,
      pseudonymizer: undefined,
      publish: () => Promise.reject(new Error('disk full')),
    });
    const full = Array.from({ length: 5000 }, (_, i) => event(i, T0 + i));
    await pipeline.add(full);
    await expect(pipeline.add(full)).rejects.toThrow('disk full');
    await expect(pipeline.close()).rejects.toThrow('disk full');
  });
});
