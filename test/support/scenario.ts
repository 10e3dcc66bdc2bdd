import { connectionBatchCodec } from '../../services/common/avro/codecs.ts';
import type { RecordProducer } from '../../services/common/kafka/transport.ts';
import { toBatches } from '../../services/sensor/batching.ts';
import { replayScenario } from '../../services/sensor/replay.ts';
import { SCENARIOS } from '../../services/sensor/simulator.ts';

export const DEMO_START = Date.parse('2026-11-27T08:00:00Z');

/** Publishes the whole demo scenario (background, then a surge on tcp/445) as fast as possible, like a sensor would. */
export async function publishDemoScenario(producer: RecordProducer, topic: string, sensorId = 'test-sensor'): Promise<number> {
  const scenario = SCENARIOS['demo'];
  if (scenario === undefined) throw new Error('demo scenario missing');
  const { events } = await replayScenario({
    scenario,
    seed: 1,
    startMs: DEMO_START,
    speed: 0,
    publish: async (batch) => {
      await producer.send(topic, toBatches(sensorId, batch, 500).map((b) => ({ key: b.key, value: connectionBatchCodec.encode(b.batch) })));
    },
  });
  return events;
}
