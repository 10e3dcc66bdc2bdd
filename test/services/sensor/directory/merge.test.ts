import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../../../services/common/avro/generated-types.ts';
import { mergeByTime } from '../../../../services/sensor/directory/merge.ts';
import type { Run } from '../../../../services/sensor/directory/merge.ts';

const ev = (t: number, port = 445): ConnectionEvent => ({ eventTime: t, protocol: 'TCP', srcIp: '203.0.113.5', srcPort: 1, dstIp: '198.51.100.7', dstPort: port, outcome: 'ATTEMPT' });

async function* chunks(...parts: number[][]): AsyncGenerator<ConnectionEvent[]> {
  for (const p of parts) yield p.map((t) => ev(t));
  await Promise.resolve();
}

async function merged(...streams: AsyncIterable<ConnectionEvent[]>[]): Promise<Run[]> {
  const runs: Run[] = [];
  for await (const r of mergeByTime(streams)) runs.push(r);
  return runs;
}

describe('k-way merge by event time', () => {
  it('interleaves the streams in event-time order, in runs up to the next head of another stream', async () => {
    const runs = await merged(chunks([1, 2, 3], [10, 11]), chunks([4, 5], [6, 20]), chunks([], [0, 30]));
    expect(runs.map((r) => [r.source, r.events.map((e) => e.eventTime)])).toEqual([
      [2, [0]], [0, [1, 2, 3]], [1, [4, 5]], [1, [6]], [0, [10, 11]], [1, [20]], [2, [30]],
    ]);
  });

  it('loses nothing and keeps a stream that is out of order inside itself in its own order', async () => {
    const runs = await merged(chunks([5, 3, 9]), chunks([4, 8]));
    const fromFirst = runs.filter((r) => r.source === 0).flatMap((r) => r.events.map((e) => e.eventTime));
    expect(fromFirst).toEqual([5, 3, 9]);
    expect(runs.flatMap((r) => r.events)).toHaveLength(5);
  });

  it('ends at once with no streams or only empty ones', async () => {
    expect(await merged()).toEqual([]);
    expect(await merged(chunks([], []))).toEqual([]);
  });
});
