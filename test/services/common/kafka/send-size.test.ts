import { describe, expect, it } from 'vitest';
import { outRecordBytes, SEND_BYTES, sendInParts, sendSized } from '../../../../services/common/kafka/send-size.ts';
import type { OutRecord, RecordProducer } from '../../../../services/common/kafka/transport.ts';

describe('sends cut to a size the broker takes', () => {
  it('cuts records into consecutive parts of at most the limit, a larger record alone, none lost or reordered', () => {
    const sizes = [300, 300, 300, 900, 1500, 100, 100, 999, 1];
    const parts = [...sendSized(sizes, (n) => n, 1000)];
    expect(parts).toEqual([[300, 300, 300], [900], [1500], [100, 100], [999, 1]]);
    expect([...sendSized([], (n: number) => n, 1000)]).toEqual([]);
  });

  it('sends a large send in parts of at most SEND_BYTES, in order', async () => {
    const sent: OutRecord[][] = [];
    const producer: RecordProducer = {
      send: (_topic, records) => {
        sent.push([...records]);
        return Promise.resolve();
      },
      close: () => Promise.resolve(),
    };
    const records: OutRecord[] = Array.from({ length: 100 }, (_, i) => ({ key: `tcp/${i}`, value: Buffer.alloc(20_000), headers: { 'portent-batch-id': `b${i}` } }));
    await sendInParts(producer, 'topic', records);
    expect(sent.length).toBeGreaterThan(1);
    for (const part of sent) expect(part.reduce((n, r) => n + outRecordBytes(r), 0)).toBeLessThanOrEqual(SEND_BYTES);
    expect(sent.flat().map((r) => r.key)).toEqual(records.map((r) => r.key));
    // A record's bound counts its value, key and headers.
    expect(outRecordBytes({ key: 'tcp/445', value: Buffer.alloc(100), headers: { a: 'b' } })).toBeGreaterThanOrEqual(100 + 7 + 2);
  });
});
