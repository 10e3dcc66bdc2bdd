/**
 * The directory replay end to end: the sensor command reads a folder of
 * per-sensor files (pcap, Zeek, gzip'd Zeek) and publishes each under its own
 * sensor id onto the connections topic of the test broker.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectionBatchCodec } from '../../../../services/common/avro/codecs.ts';
import type { ConnectionBatch } from '../../../../services/common/avro/generated-types.ts';
import { BATCH_ID_HEADER } from '../../../../services/sensor/delivery.ts';
import { createTestTopics, readUntil, serviceEnv, testTransport } from '../../../support/kafka.ts';
import { sensorDirectory, synCapture, zeekConnLog } from '../../../support/sensor-files.ts';
import type { Probe } from '../../../support/sensor-files.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const T0 = Date.parse('2026-11-27T08:00:00Z');
const probes = (net: number, n: number, stepMs: number): Probe[] =>
  Array.from({ length: n }, (_, i) => ({ timeMs: T0 + i * stepMs, src: `203.0.${net}.${i % 250}`, dst: `198.51.100.${i % 200}`, port: i % 2 === 0 ? 445 : 23 }));

describe('sensor command, directory replay', () => {
  it('publishes every file of the directory under its own sensor id, batch ids and port keys as a sensor does', async () => {
    const transport = testTransport();
    const names = await createTestTopics(transport);
    const { dir, remove } = sensorDirectory({
      'edge-1.pcap': synCapture(probes(1, 400, 50)),
      'dmz.conn.log': zeekConnLog(probes(2, 300, 70)),
      'lab.zeek.log.gz': zeekConnLog(probes(3, 100, 200)),
    });
    onTestFinished(remove);
    const child = spawn(process.execPath, [join(ROOT, 'services', 'sensor', 'main.ts'), '--input', 'directory', '--file', dir, '--batch-events', '100'], {
      env: { ...serviceEnv(names), PORTENT_SENSOR_SPOOL_DIR: join(dir, 'spool'), PORTENT_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('events read: 800, published: 800');

    const decode = (rs: { value: Buffer | null }[]): ConnectionBatch[] => rs.flatMap((r) => (r.value === null ? [] : [connectionBatchCodec.decode(r.value)]));
    const records = await readUntil(transport, names.connections, (rs) => decode(rs).reduce((n, b) => n + b.events.length, 0) >= 800);
    const perSensor = new Map<string, number>();
    for (const r of records) {
      if (r.value === null) continue;
      const batch = connectionBatchCodec.decode(r.value);
      perSensor.set(batch.sensorId, (perSensor.get(batch.sensorId) ?? 0) + batch.events.length);
      expect(r.headers[BATCH_ID_HEADER]).toMatch(new RegExp(`^${batch.sensorId}/[0-9a-f]{8}/\\d+$`));
      const net = { 'edge-1': '1', dmz: '2', lab: '3' }[batch.sensorId];
      for (const e of batch.events) {
        expect(r.key).toBe(`tcp/${e.dstPort}`);
        expect(e.srcIp.split('.')[2]).toBe(net);
      }
    }
    expect(Object.fromEntries(perSensor)).toEqual({ 'edge-1': 400, dmz: 300, lab: 100 });
  });
});
