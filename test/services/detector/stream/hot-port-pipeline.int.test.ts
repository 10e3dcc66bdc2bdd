import { describe, expect, it, onTestFinished } from 'vitest';
import { alertCodec, connectionBatchCodec } from '../../../../services/common/avro/codecs.ts';
import type { Alert } from '../../../../services/common/avro/generated-types.ts';
import type { TopicNames } from '../../../../services/common/kafka/topics.ts';
import type { InRecord, KafkaTransport, RecordProducer } from '../../../../services/common/kafka/transport.ts';
import { loadDetectorConfig } from '../../../../services/detector/config.ts';
import { startDetectorPipeline } from '../../../../services/detector/stream/pipeline.ts';
import type { DetectorPipeline } from '../../../../services/detector/stream/pipeline.ts';
import { startPartialMerger } from '../../../../services/detector/stream/merger-stream.ts';
import { portNumber, toBatches } from '../../../../services/sensor/batching.ts';
import type { HotPorts } from '../../../../services/sensor/batching.ts';
import { replayScenario } from '../../../../services/sensor/scenarios/play.ts';
import { SCENARIOS } from '../../../../services/sensor/scenarios/generate.ts';
import { createTestTopics, quietLogger, readUntil, testProducer, testTransport, uniqueName } from '../../../support/kafka.ts';
import { DEMO_START, publishScenario } from '../../../support/scenario.ts';
import { systemClock } from '../../../../services/common/clock.ts';

/** The demo scenario as a sensor publishes it, with tcp/445 optionally split into sub-keys. */
async function publishDemo(producer: RecordProducer, topic: string, hot?: HotPorts): Promise<void> {
  const scenario = SCENARIOS['demo'];
  if (scenario === undefined) throw new Error('demo scenario missing');
  await replayScenario({
    scenario, seed: 1, startMs: DEMO_START, speed: 0,
    publish: async (batch) => {
      await producer.send(topic, toBatches('test-sensor', batch, 500, hot).map((b) => ({ key: b.key, value: connectionBatchCodec.encode(b.batch) })));
    },
  });
}

function detectors(transport: KafkaTransport, producer: RecordProducer, topics: TopicNames, instances: number): DetectorPipeline[] {
  const groupId = uniqueName('detector');
  return Array.from({ length: instances }, () => {
    const config = { ...loadDetectorConfig({}), groupId, sessionTimeoutMs: 6000 };
    const p = startDetectorPipeline({ transport, producer, topics, config, logger: quietLogger, now: systemClock });
    // The merger is a second consumer group beside the pipeline, as main.ts starts it.
    const merger = startPartialMerger({ transport, producer, topics, config, logger: quietLogger, now: systemClock, advisories: p.advisories, counters: p.hotPorts });
    onTestFinished(async () => {
      await p.close();
      await merger.close();
    });
    return p;
  });
}

/** The alerts of tcp/445 up to RESOLVED, one per (state, sequence): a replay after a rebalance repeats them. */
async function alertsOf(transport: KafkaTransport, topic: string): Promise<Alert[]> {
  const decode = (rs: InRecord[]) => rs.map((r) => alertCodec.decode(r.value ?? Buffer.alloc(0))).filter((a) => a.port === 445);
  const records = await readUntil(transport, topic, (rs) => decode(rs).some((a) => a.state === 'RESOLVED'), 120_000);
  const seen = new Map<number, Alert>();
  for (const a of decode(records)) if (!seen.has(a.sequence)) seen.set(a.sequence, a);
  return [...seen.values()].sort((a, b) => a.sequence - b.sequence);
}

describe('hot ports (real broker)', () => {
  it('alerts on tcp/445 split 4 ways over two detector instances as on the unsplit port', async () => {
    const transport = testTransport();
    const producer = await testProducer(transport);
    const plain = await createTestTopics(transport);
    const split = await createTestTopics(transport);
    await publishDemo(producer, plain.connections);
    await publishDemo(producer, split.connections, { ports: new Set([portNumber('TCP', 445)]), split: 4 });
    detectors(transport, producer, plain, 1);
    const splitDetectors = detectors(transport, producer, split, 2);

    const [expected, actual] = await Promise.all([alertsOf(transport, plain.alerts), alertsOf(transport, split.alerts)]);
    expect(expected.map((a) => a.state)).toEqual(['FIRING', 'UPDATED', 'UPDATED', 'RESOLVED']);
    expect(actual.map((a) => [a.alertId, a.state, a.sequence, a.onsetWindowStart, a.shape])).toEqual(expected.map((a) => [a.alertId, a.state, a.sequence, a.onsetWindowStart, a.shape]));
    // States decided at window close see whole windows: the same figures, distinct sources within the sketch's error.
    for (const [i, a] of actual.entries()) {
      const e = expected[i];
      if (e === undefined || a.state === 'FIRING') continue;
      expect(a.windowStart).toBe(e.windowStart);
      expect(a.figures.attempts).toBe(e.figures.attempts);
      expect(Math.abs(a.figures.distinctSources - e.figures.distinctSources)).toBeLessThanOrEqual(0.02 * e.figures.distinctSources);
      expect(a.severity).toBe(e.severity);
      expect(a.topScanners.map((s) => s.ip)).toEqual(e.topScanners.map((s) => s.ip));
    }
    expect(splitDetectors.reduce((n, d) => n + d.hotPorts.partialsMerged, 0)).toBeGreaterThan(0);
  });

  it('fires on a split port when the input stops inside the onset window (partials shipped on a timer)', async () => {
    const transport = testTransport();
    const producer = await testProducer(transport);
    const topics = await createTestTopics(transport);
    const [detector] = detectors(transport, producer, topics, 1);
    await detector?.started;
    // Background, then the surge's first minute, and nothing more: the onset window never closes. Published
    // minute by minute while the detector runs, so the last batches come within the partial interval of an
    // earlier shipment, and only a timed shipment can bring the onset to the merger.
    await publishScenario(producer, topics.connections, 'demo', { startMs: DEMO_START, sensors: 1, toMinute: 13, hot: { ports: new Set([portNumber('TCP', 445)]), split: 4 } });
    const records = await readUntil(transport, topics.alerts, (rs) => rs.some((r) => alertCodec.decode(r.value ?? Buffer.alloc(0)).port === 445), 60_000);
    const firing = records.map((r) => alertCodec.decode(r.value ?? Buffer.alloc(0))).find((a) => a.port === 445);
    expect(firing?.state).toBe('FIRING');
    expect(firing?.onsetWindowStart).toBe(DEMO_START + 12 * 60_000);
  });
});
