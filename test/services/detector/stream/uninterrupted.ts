import type { Alert, PortStats } from '../../../../services/common/avro/generated-types.ts';
import type { KafkaTransport } from '../../../../services/common/kafka/transport.ts';
import { BatchDecoder } from '../../../../services/detector/stream/batch-decoder.ts';
import { loadDetectorConfig } from '../../../../services/detector/config.ts';
import { Detector } from '../../../../services/detector/detector.ts';
import { readUntil } from '../../../support/kafka.ts';

/**
 * What an uninterrupted run makes of a connections log: the detector core over
 * every record, partition by partition in offset order, with the processes'
 * settings (`env`) and Bloom sizing. Port stats by `<protocol>/<port>@<minute
 * from startMs>`, and every alert in the order produced.
 */
export async function uninterruptedRun(transport: KafkaTransport, topic: string, env: NodeJS.ProcessEnv, startMs: number): Promise<{ stats: Map<string, PortStats>; alerts: Alert[] }> {
  const ends = await transport.endOffsets(topic);
  const total = [...ends.values()].reduce((a, b) => a + Number(b), 0);
  const records = await readUntil(transport, topic, (rs) => rs.length >= total);
  const detector = new Detector(loadDetectorConfig(env).detector);
  detector.setInputPartitions(ends.size);
  const decoder = new BatchDecoder();
  const stats = new Map<string, PortStats>();
  const alerts: Alert[] = [];
  records.sort((x, y) => x.partition - y.partition || Number(BigInt(x.offset) - BigInt(y.offset)));
  for (const r of records) {
    const out = detector.ingestBatch(r.partition, decoder.decode(r.value ?? Buffer.alloc(0)));
    for (const s of out.stats) stats.set(`${s.protocol.toLowerCase()}/${s.port}@${(s.windowStart - startMs) / 60_000}`, s);
    alerts.push(...out.alerts);
  }
  return { stats, alerts };
}

/** The port stats of an uninterrupted run (see uninterruptedRun). */
export async function uninterrupted(transport: KafkaTransport, topic: string, env: NodeJS.ProcessEnv, startMs: number): Promise<Map<string, PortStats>> {
  return (await uninterruptedRun(transport, topic, env, startMs)).stats;
}
