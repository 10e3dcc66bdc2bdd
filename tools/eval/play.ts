/**
 * Plays a simulated world through the detector's pure core, in process:
 * the events reach it as the sensors would publish them (per-port batches of
 * at most 500 events, each sensor lagging as the world says) and as the
 * broker would hand them over (records keyed by port, so a port always lands
 * in the same one of 4 partitions, each with its own watermark). No Kafka:
 * what is measured is detection, not transport.
 */
import type { Advisory, Alert } from '../../services/common/avro/generated-types.ts';
import { Detector } from '../../services/detector/detector.ts';
import type { DetectorOptions } from '../../services/detector/detector.ts';
import { toBatches } from '../../services/sensor/batching.ts';
import { arrivals } from '../../services/sensor/scenarios/world.ts';
import type { WorldSpec } from '../../services/sensor/scenarios/world.ts';

export const PARTITIONS = 4;

export interface PlayResult {
  readonly alerts: Alert[];
  readonly events: number;
  /** Events the detector counted as late (their window had closed). */
  readonly late: number;
}

/** FNV-1a of the record key, as a stand-in for the producer's key hash: any stable hash keeps a port on one partition. */
function partitionOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % PARTITIONS;
}

export function playWorld(world: WorldSpec, seed: number, startMs: number, options: DetectorOptions, advisories: readonly Advisory[] = []): PlayResult {
  const detector = new Detector(options, () => advisories);
  detector.setInputPartitions(PARTITIONS);
  const alerts: Alert[] = [];
  let events = 0;
  let late = 0;
  for (const arrival of arrivals(world, seed, startMs)) {
    for (const { sensorId, events: seen } of arrival.batches) {
      events += seen.length;
      for (const b of toBatches(sensorId, seen, 500)) {
        const out = detector.ingest(partitionOf(b.key), b.batch);
        late += out.late;
        alerts.push(...out.alerts);
      }
    }
  }
  return { alerts, events, late };
}
