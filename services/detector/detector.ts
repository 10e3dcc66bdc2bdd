import type { Alert, ConnectionBatch, PortStats } from '../common/avro/generated-types.ts';
import { PortState } from './port-state.ts';
import type { PortOptions, PortOutput } from './port-state.ts';
import { windowStartOf } from './window.ts';

export interface DetectorOptions extends PortOptions {
  /** How far behind the newest event time a window stays open for late events. */
  readonly allowedLatenessMs: number;
}

export interface DetectorOutput {
  readonly alerts: Alert[];
  readonly stats: PortStats[];
  /** Events that arrived after their window had closed: counted, not used. */
  readonly late: number;
}

interface PartitionState {
  maxEventTime: number;
  /** Window boundary the ports were last closed up to: closing is only attempted when it moves. */
  closedThrough: number;
  readonly ports: Map<string, PortState>;
}

/**
 * The detector's pure core: event-time tumbling windows per (protocol, port),
 * a watermark per input partition, baselines and surge lifecycles.
 *
 * Watermark: newest event time seen on the partition minus the allowed
 * lateness. A window [s, s+size) closes when the watermark reaches s+size.
 * Every event of a port lands in one partition (records are keyed by
 * protocol/port), so a port's windows only ever wait for their own partition:
 * an idle partition never holds back the others.
 */
export class Detector {
  readonly #opts: DetectorOptions;
  readonly #partitions = new Map<number, PartitionState>();

  constructor(opts: DetectorOptions) {
    this.#opts = opts;
  }

  watermark(partition: number): number {
    const p = this.#partitions.get(partition);
    return p === undefined ? Number.NEGATIVE_INFINITY : p.maxEventTime - this.#opts.allowedLatenessMs;
  }

  ingest(partition: number, batch: ConnectionBatch): DetectorOutput {
    const p = this.#partition(partition);
    const watermark = this.watermark(partition);
    const size = this.#opts.windowMs;
    const touched = new Set<PortState>();
    let late = 0;
    let newest = p.maxEventTime;
    for (const event of batch.events) {
      const start = windowStartOf(event.eventTime, size);
      if (start + size <= watermark) {
        late += 1;
        continue;
      }
      const key = `${event.protocol}/${event.dstPort}`;
      let port = p.ports.get(key);
      if (port === undefined) {
        port = new PortState(event.protocol, event.dstPort, this.#opts);
        p.ports.set(key, port);
      }
      port.add(event, batch.sensorId, start);
      touched.add(port);
      if (event.eventTime > newest) newest = event.eventTime;
    }
    p.maxEventTime = newest;
    const out: PortOutput = { alerts: [], stats: [] };
    // Close first, so the open windows are judged against the freshest baseline.
    const next = this.watermark(partition);
    const boundary = windowStartOf(next, size);
    if (boundary > p.closedThrough) {
      p.closedThrough = boundary;
      for (const port of p.ports.values()) port.closeUpTo(next, out);
    }
    for (const port of touched) {
      const firing = port.checkOpenWindows(newest);
      if (firing !== undefined) out.alerts.push(firing);
    }
    return { ...out, late };
  }

  #partition(partition: number): PartitionState {
    let p = this.#partitions.get(partition);
    if (p === undefined) {
      p = { maxEventTime: Number.NEGATIVE_INFINITY, closedThrough: Number.NEGATIVE_INFINITY, ports: new Map() };
      this.#partitions.set(partition, p);
    }
    return p;
  }
}
