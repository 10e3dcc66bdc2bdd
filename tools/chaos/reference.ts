/**
 * The undisturbed run a chaos run is compared with: the detector core over
 * every connections record, partition by partition in offset order, with the
 * processes' settings and Bloom sizing. Replay is deterministic, so this is
 * what any run of the same log must produce, crashes or not.
 */
import type { Alert, PortStats } from '../../services/common/avro/generated-types.ts';
import type { InRecord } from '../../services/common/kafka/transport.ts';
import type { DetectorOptions } from '../../services/detector/detector.ts';
import { Detector } from '../../services/detector/detector.ts';
import { BatchDecoder } from '../../services/detector/stream/batch-decoder.ts';

export function undisturbedRun(records: readonly InRecord[], options: DetectorOptions, partitions: number): { stats: PortStats[]; alerts: Alert[] } {
  const detector = new Detector(options);
  detector.setInputPartitions(partitions);
  const decoder = new BatchDecoder();
  const stats: PortStats[] = [];
  const alerts: Alert[] = [];
  const ordered = [...records].sort((x, y) => x.partition - y.partition || Number(BigInt(x.offset) - BigInt(y.offset)));
  for (const r of ordered) {
    const out = detector.ingestBatch(r.partition, decoder.decode(r.value ?? Buffer.alloc(0)));
    stats.push(...out.stats);
    alerts.push(...out.alerts);
  }
  return { stats, alerts };
}

/** What a receiver sees as one message: the alerter's webhook-id is made of the alert id and its sequence. */
export const stateKey = (a: Pick<Alert, 'alertId' | 'sequence'>): string => `${a.alertId}_${a.sequence}`;
