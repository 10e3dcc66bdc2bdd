import { describe, expect, it } from 'vitest';
import { connectionBatchCodec } from '../../../services/common/avro/codecs.ts';
import type { ConnectionEvent } from '../../../services/common/avro/generated-types.ts';
import { SensorPipelines } from '../../../services/sensor/fleet.ts';
import type { SpooledRecord } from '../../../services/sensor/spool.ts';

const T0 = Date.parse('2026-11-27T08:00:00Z');
const ev = (port: number): ConnectionEvent => ({ eventTime: T0, protocol: 'TCP', srcIp: '203.0.113.5', srcPort: 1, dstIp: '198.51.100.7', dstPort: port, outcome: 'ATTEMPT' });
const sensorsOf = (records: readonly SpooledRecord[]): string[] => records.map((r) => connectionBatchCodec.decode(r.value).sensorId).sort();

describe('sensor pipelines', () => {
  it('publish each sensor under its own id, and send the flushes that wait behind a send together', async () => {
    const sends: SpooledRecord[][] = [];
    let release: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (release = resolve));
    const pipelines = new SensorPipelines({
      batchEvents: 100, pseudonymizer: undefined, flushMs: 60_000,
      publish: async (records) => {
        sends.push([...records]);
        if (sends.length === 1) await first;
      },
    });
    await pipelines.get('a').add([ev(22)]);
    const inFlight = pipelines.get('a').flush();
    await pipelines.get('b').add([ev(445)]);
    await pipelines.get('c').add([ev(23)]);
    const waiting = [pipelines.get('b').flush(), pipelines.get('c').flush()];
    expect(sends).toHaveLength(1);
    release();
    await Promise.all([inFlight, ...waiting]);
    expect(sends.map(sensorsOf)).toEqual([['a'], ['b', 'c']]);
    await pipelines.close();
  });

  it('report a failed send to every flush it carried', async () => {
    const pipelines = new SensorPipelines({ batchEvents: 100, pseudonymizer: undefined, flushMs: 60_000, publish: () => Promise.reject(new Error('broker away')) });
    await pipelines.get('a').add([ev(22)]);
    await pipelines.get('b').add([ev(22)]);
    const results = await Promise.allSettled([pipelines.get('a').flush(), pipelines.get('b').flush()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(pipelines.close()).rejects.toThrow('broker away');
  });
});
