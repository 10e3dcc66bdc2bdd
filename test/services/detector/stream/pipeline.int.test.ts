import { describe, expect, it, onTestFinished } from 'vitest';
import { alertCodec, portStatsCodec } from '../../../../services/common/avro/codecs.ts';
import { CommonErrorCodes } from '../../../../services/common/errors.ts';
import { DeadLetterHeaders } from '../../../../services/common/kafka/topics.ts';
import { loadDetectorConfig } from '../../../../services/detector/config.ts';
import { startDetectorPipeline } from '../../../../services/detector/stream/pipeline.ts';
import { createTestTopics, quietLogger, readUntil, testProducer, testTransport, uniqueName } from '../../../support/kafka.ts';
import { publishDemoScenario } from '../../../support/scenario.ts';
import { systemClock } from '../../../../services/common/clock.ts';

describe('detector pipeline (real broker)', () => {
  it('dead-letters a record that is not valid Avro, carries on, and alerts on the surge', async () => {
    const transport = testTransport();
    const topics = await createTestTopics(transport);
    const producer = await testProducer(transport);
    const pipeline = startDetectorPipeline({
      transport, producer, topics, config: { ...loadDetectorConfig({}), groupId: uniqueName('detector') }, logger: quietLogger, now: systemClock,
    });
    onTestFinished(() => pipeline.close());

    const garbage = Buffer.from('this is not avro');
    await producer.send(topics.connections, [{ key: 'tcp/445', value: garbage }]);
    await publishDemoScenario(producer, topics.connections);

    const dead = await readUntil(transport, topics.deadLetter, (r) => r.length >= 1);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.value).toEqual(garbage);
    expect(dead[0]?.headers[DeadLetterHeaders.reason]).toBe(CommonErrorCodes.AVRO_BAD_HEADER);
    expect(dead[0]?.headers[DeadLetterHeaders.topic]).toBe(topics.connections);

    const records = await readUntil(transport, topics.alerts, (r) => r.length >= 4);
    const alerts = records.map((r) => alertCodec.decode(r.value ?? Buffer.alloc(0)));
    expect(alerts.map((a) => [a.state, a.protocol, a.port, a.sequence])).toEqual([
      ['FIRING', 'TCP', 445, 0], ['UPDATED', 'TCP', 445, 1], ['UPDATED', 'TCP', 445, 2], ['RESOLVED', 'TCP', 445, 3],
    ]);
    expect(alerts.at(-1)?.shape).toBe('SPIKE');
    expect(records[0]?.key).toBe(alerts[0]?.alertId);
    expect(pipeline.counters.deadLettered).toBe(1);

    const stats = await readUntil(transport, topics.portStats, (r) => r.some((s) => s.key === 'tcp/445'));
    const first445 = stats.find((r) => r.key === 'tcp/445');
    expect(portStatsCodec.decode(first445?.value ?? Buffer.alloc(0))).toMatchObject({ protocol: 'TCP', port: 445, distinctSources: 25, surging: false });
  });
});
