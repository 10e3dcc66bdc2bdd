import { connectionBatchCodec } from '../../services/common/avro/codecs.ts';
import type { RecordProducer } from '../../services/common/kafka/transport.ts';
import { toBatches } from '../../services/sensor/batching.ts';
import type { HotPorts } from '../../services/sensor/batching.ts';
import { replayScenario } from '../../services/sensor/scenarios/play.ts';
import { SCENARIOS, scenarioMinute } from '../../services/sensor/scenarios/generate.ts';

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

/**
 * Publishes a named simulator scenario as fast as possible, as `sensors`
 * sensors would: each sensor watches its own slice of the monitored space
 * (chosen by a hash of the destination), so breadth across sensors is real.
 * `hot`: ports published under sub-keys, as a sensor with PORTENT_SENSOR_HOT_PORTS does.
 */
export async function publishScenario(
  producer: RecordProducer,
  topic: string,
  name: string,
  opts: { startMs: number; sensors: number; seed?: number; fromMinute?: number; toMinute?: number; hot?: HotPorts },
): Promise<number> {
  const scenario = SCENARIOS[name];
  if (scenario === undefined) throw new Error(`scenario ${name} missing`);
  const from = opts.fromMinute ?? 0;
  const to = Math.min(opts.toMinute ?? scenario.minutes, scenario.minutes);
  const sensorOf = (ip: string): number => {
    let h = 0;
    for (let i = 0; i < ip.length; i++) h = (Math.imul(h, 31) + ip.charCodeAt(i)) >>> 0;
    return h % opts.sensors;
  };
  let published = 0;
  for (let minute = from; minute < to; minute++) {
    const events = scenarioMinute(scenario, opts.seed ?? 1, opts.startMs, minute);
    const records = [];
    for (let s = 0; s < opts.sensors; s++) {
      const mine = events.filter((e) => sensorOf(e.dstIp) === s);
      for (const b of toBatches(`sensor-${s}`, mine, 500, opts.hot)) records.push({ key: b.key, value: connectionBatchCodec.encode(b.batch) });
    }
    await producer.send(topic, records);
    published += events.length;
  }
  return published;
}
