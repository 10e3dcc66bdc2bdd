/**
 * A scan of every TCP port (masscan -p0-65535) closes 65,536 windows at once.
 * Their port-stats go out when the watermark passes the window, from one
 * consumed batch; the broker takes at most message.max.bytes (1 MiB by
 * default) per record batch, and one send's records for one partition form
 * one batch, so they must not go out as one send (65,536 port-stats are
 * ~3.3 MB; the broker refused them and the detector stalled).
 *
 * The checkpoint of those 65,536 changed ports is one batch on purpose (it
 * must be appended atomically): ~53 MB of JSON, more than this scratch
 * broker's 16 MiB segments, which refused it and stalled the partition.
 * Sent gzip'd it is ~2 MB (services/detector/README.md, "Checkpoint size"),
 * and a successor restores every port from it.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { connectionBatchCodec, portStatsCodec } from '../../../services/common/avro/codecs.ts';
import type { ConnectionEvent } from '../../../services/common/avro/generated-types.ts';
import { readCheckpoints } from '../../../services/detector/stream/checkpoint.ts';
import { loadDetectorConfig } from '../../../services/detector/config.ts';
import { startDetectorPipeline } from '../../../services/detector/stream/pipeline.ts';
import { portKey } from '../../../services/sensor/batching.ts';
import { createTestTopics, quietLogger, readUntil, testProducer, testTransport, uniqueName } from '../../support/kafka.ts';
import { systemClock } from '../../../services/common/clock.ts';

const T0 = Date.parse('2026-11-27T08:00:00Z');

describe('detector on a sweep of every port (real broker, one partition)', () => {
  it('publishes the port-stats of all 65,536 ports of the window and checkpoints every port', async () => {
    const transport = testTransport();
    const topics = await createTestTopics(transport, 1);
    const groupId = uniqueName('detector');
    const producer = await testProducer(transport);
    const pipeline = startDetectorPipeline({
      transport, producer, topics, config: { ...loadDetectorConfig({}), groupId, checkpointIntervalMs: 0 }, logger: quietLogger, now: systemClock,
    });
    onTestFinished(() => pipeline.close());

    // Minute 0: three scanners each try every port once; then one event three minutes later moves the watermark past minute 0.
    const sweep = (port: number): ConnectionEvent[] => [1, 2, 3].map((s) => ({ eventTime: T0 + 1000 + s, protocol: 'TCP', srcIp: `192.0.2.${s}`, srcPort: 40000 + s, dstIp: `203.0.113.${port & 255}`, dstPort: port, outcome: 'ATTEMPT' }));
    for (let from = 0; from < 65536; from += 4096) {
      const records = Array.from({ length: 4096 }, (_, i) => from + i).map((port) => ({ key: portKey('TCP', port), value: connectionBatchCodec.encode({ sensorId: 's1', events: sweep(port) }) }));
      await producer.send(topics.connections, records);
    }
    const later: ConnectionEvent = { eventTime: T0 + 180_000, protocol: 'TCP', srcIp: '192.0.2.9', srcPort: 40009, dstIp: '203.0.113.9', dstPort: 22, outcome: 'ATTEMPT' };
    await producer.send(topics.connections, [{ key: 'tcp/22', value: connectionBatchCodec.encode({ sensorId: 's1', events: [later] }) }]);

    const stats = await readUntil(transport, topics.portStats, (r) => new Set(r.map((s) => s.key)).size >= 65536, 120_000);
    const ports = new Set(stats.map((r) => portStatsCodec.decode(r.value ?? Buffer.alloc(0))).filter((s) => s.windowStart === T0).map((s) => s.port));
    expect(ports.size).toBe(65536);
    const one = portStatsCodec.decode(stats.find((r) => r.key === 'tcp/8080')?.value ?? Buffer.alloc(0));
    expect(one).toMatchObject({ protocol: 'TCP', port: 8080, attempts: 3, distinctSources: 3 });

    // Checkpointed after every batch (interval 0): the changelog holds every port, and reads back (kafkajs decompresses it).
    await pipeline.close();
    expect(pipeline.counters.checkpoints).toBeGreaterThanOrEqual(1);
    const restored = (await readCheckpoints(transport, topics.detectorState, groupId, new Set([0]))).get(0);
    expect(restored?.ports.size).toBe(65536);
    expect(restored?.meta?.nextOffset).toBe('65537');
  });
});
