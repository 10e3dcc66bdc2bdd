import type { Alert, PortStats } from '../../../../services/common/avro/generated-types.ts';
import type { KafkaTransport } from '../../../../services/common/kafka/transport.ts';
import { loadDetectorConfig } from '../../../../services/detector/config.ts';
import { undisturbedRun } from '../../../../tools/chaos/reference.ts';
import { readUntil } from '../../../support/kafka.ts';

/**
 * What an uninterrupted run makes of a connections log (tools/chaos/reference.ts),
 * with the processes' settings (`env`). Port stats by `<protocol>/<port>@<minute
 * from startMs>`, and every alert in the order produced.
 */
export async function uninterruptedRun(transport: KafkaTransport, topic: string, env: NodeJS.ProcessEnv, startMs: number): Promise<{ stats: Map<string, PortStats>; alerts: Alert[] }> {
  const ends = await transport.endOffsets(topic);
  const total = [...ends.values()].reduce((a, b) => a + Number(b), 0);
  const records = await readUntil(transport, topic, (rs) => rs.length >= total);
  const run = undisturbedRun(records, loadDetectorConfig(env).detector, ends.size);
  const stats = new Map(run.stats.map((s) => [`${s.protocol.toLowerCase()}/${s.port}@${(s.windowStart - startMs) / 60_000}`, s]));
  return { stats, alerts: run.alerts };
}

/** The port stats of an uninterrupted run (see uninterruptedRun). */
export async function uninterrupted(transport: KafkaTransport, topic: string, env: NodeJS.ProcessEnv, startMs: number): Promise<Map<string, PortStats>> {
  return (await uninterruptedRun(transport, topic, env, startMs)).stats;
}
