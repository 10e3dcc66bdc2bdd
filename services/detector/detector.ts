import type { Alert, ConnectionBatch, PortPartial, PortStats, Protocol } from '../common/avro/generated-types.ts';
import type { AdvisorySource } from './advisories.ts';
import { SubKeyStage } from './hot-ports/hot-ports.ts';
import type { SubKey, SubKeySnapshot } from './hot-ports/hot-ports.ts';
import { PortState } from './port-state.ts';
import type { PortContext, PortOptions, PortOutput, PortSnapshot } from './port-state.ts';
import { RotatingBloom } from './sketch/bloom.ts';
import type { BloomState } from './sketch/bloom.ts';
import type { AddressHistory } from './window.ts';
import { windowStartOf } from './window.ts';
import { EventBatch, PROTOCOLS } from './event-batch.ts';

export interface DetectorOptions extends PortOptions {
  /** How far behind the newest event time a window stays open for late events. */
  readonly allowedLatenessMs: number;
  /**
   * log2 of the bits of each new-source / DSC Bloom generation (sketch/bloom.ts)
   * for the whole instance: each input partition gets 1 / (input partitions)
   * of it (`setInputPartitions`), so an instance owning every partition holds this much.
   */
  readonly bloomBits: number;
  /** Least wall-clock time between two Bloom snapshots of a partition (bloom-checkpoint.ts); default 5 min, 0 = every checkpoint. */
  readonly bloomSnapshotIntervalMs?: number;
  /** Least wall-clock time between two shipments of a hot port sub-key's open partial windows (hot-ports.ts); default 2000. */
  readonly partialIntervalMs?: number;
}

export interface DetectorOutput {
  readonly alerts: Alert[];
  readonly stats: PortStats[];
  /** Events that arrived after their window had closed: counted, not used. */
  readonly late: number;
}

/** A partition's own state as plain data, for the checkpoint (checkpoint.ts). */
export interface PartitionSnapshot {
  readonly maxEventTime: number | null;
  readonly closedThrough: number | null;
  readonly sensors: [string, number][];
  /** Partial windows of the hot-port sub-keys on this partition (hot-ports.ts). */
  readonly subKeys?: SubKeySnapshot[];
}

interface PartitionState {
  maxEventTime: number;
  /** Window boundary the ports were last closed up to: closing is only attempted when it moves. */
  closedThrough: number;
  /** Keyed by protocol index × 65,536 + port. */
  readonly ports: Map<number, PortState>;
  /** Sensor id -> newest event time heard from it on this partition (any port). */
  readonly sensors: Map<string, number>;
  /** Ports changed since the last `takeDirty` (what the next checkpoint must write). */
  readonly dirty: Set<PortState>;
  /** The partition's own Bloom filters: its state moves with it through the checkpoint (bloom-checkpoint.ts). */
  readonly history: AddressHistory;
  readonly ctx: PortContext;
}

const PROTOCOL_INDEX: Readonly<Record<Protocol, number>> = { TCP: 0, UDP: 1, ICMP: 2 };
const keyOf = (protocol: Protocol, port: number): number => PROTOCOL_INDEX[protocol] * 65_536 + port;

/**
 * Sensors heard from within this much event time count as "known" for
 * breadth. Per partition: a sensor reports many ports, so every partition
 * hears every live sensor, and a partition's state stays its own (which is
 * what lets it move between instances through the checkpoint).
 */
const SENSOR_MEMORY_MS = 60 * 60 * 1000;
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

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
  /** log2 of each partition's Bloom bits per generation. */
  #bloomBits: number;
  readonly #advisories: AdvisorySource;
  /** Per partition: the hot-port sub-keys counted here (hot-ports.ts). */
  readonly #stages = new Map<number, SubKeyStage>();
  /** Reused by `ingest` for the columns of decoded events. */
  readonly #scratch = new EventBatch();

  constructor(opts: DetectorOptions, advisories: AdvisorySource = () => []) {
    this.#opts = opts;
    this.#bloomBits = opts.bloomBits;
    this.#advisories = advisories;
  }

  /**
   * Sizes each partition's Bloom filters to 1 / `count` of `bloomBits` (rounded
   * up to a power of two, at least 2^16 bits), so that an instance owning all
   * `count` input partitions holds what one detector-wide pair held. Call
   * before the first event: partitions already held keep their size.
   */
  setInputPartitions(count: number): void {
    this.#bloomBits = Math.max(16, this.#opts.bloomBits - Math.ceil(Math.log2(Math.max(1, count))));
  }

  /** Bytes held by the Bloom filters of the partitions held. */
  get historyBytes(): number {
    let n = 0;
    for (const p of this.#partitions.values()) n += p.history.sources.bytes + p.history.destinations.bytes;
    return n;
  }

  /** The partition's Bloom filters as bytes (a view of the live array), for a snapshot; undefined: partition not held. */
  bloomState(partition: number): BloomState | undefined {
    return this.#partitions.get(partition)?.history.sources.state();
  }

  /** Ports with state, over all partitions. */
  get ports(): number {
    let n = 0;
    for (const p of this.#partitions.values()) n += p.ports.size;
    return n;
  }

  watermark(partition: number): number {
    const p = this.#partitions.get(partition);
    return p === undefined ? Number.NEGATIVE_INFINITY : p.maxEventTime - this.#opts.allowedLatenessMs;
  }

  /** Ingests decoded events (tests, older writer schemas): the same as `ingestBatch` of their columns. */
  ingest(partition: number, batch: ConnectionBatch): DetectorOutput {
    return this.ingestBatch(partition, EventBatch.from(batch, this.#scratch));
  }

  ingestBatch(partition: number, batch: EventBatch): DetectorOutput {
    const p = this.#partition(partition);
    const watermark = this.watermark(partition);
    const size = this.#opts.windowMs;
    const { time, protocol, port: dstPort, count } = batch;
    let late = 0;
    let newest = p.maxEventTime;
    let port: PortState | undefined;
    let key = -1;
    const touched = new Set<PortState>();
    if (count > 0) {
      const last = Math.max(time[count - 1] ?? newest, newest);
      p.history.sources.advance(last);
      p.history.destinations.advance(last);
    }
    // Runs of events with the same key and window (a record is one sensor's events for one port,
    // a few seconds of event time: nearly always one run) go to their window in one call.
    for (let i = 0; i < count; ) {
      const t = time[i] ?? 0;
      const start = Math.floor(t / size) * size;
      if (start + size <= watermark) {
        late += 1;
        i += 1;
        continue;
      }
      const k = (protocol[i] ?? 0) * 65_536 + (dstPort[i] ?? 0);
      let j = i + 1;
      let last = t;
      for (; j < count; j++) {
        const tj = time[j] ?? 0;
        if (tj < start || tj >= start + size || (protocol[j] ?? 0) * 65_536 + (dstPort[j] ?? 0) !== k) break;
        if (tj > last) last = tj;
      }
      if (k !== key || port === undefined) {
        key = k;
        port = p.ports.get(k);
        if (port === undefined) {
          port = new PortState(PROTOCOLS[protocol[i] ?? 0] ?? 'TCP', dstPort[i] ?? 0, this.#opts, p.ctx);
          p.ports.set(k, port);
        }
        touched.add(port);
        p.dirty.add(port);
      }
      port.addRun(start, batch, i, j);
      if (last > newest) newest = last;
      i = j;
    }
    p.maxEventTime = newest;
    if (count > 0) p.sensors.set(batch.sensorId, Math.max(p.sensors.get(batch.sensorId) ?? newest, newest));
    const out: PortOutput = { alerts: [], stats: [] };
    // Close first, so the open windows are judged against the freshest baseline.
    const next = this.watermark(partition);
    const boundary = windowStartOf(next, size);
    if (boundary > p.closedThrough) {
      p.closedThrough = boundary;
      for (const ps of p.ports.values()) {
        ps.closeUpTo(next, out, p.maxEventTime);
        p.dirty.add(ps);
      }
    }
    for (const ps of touched) {
      const firing = ps.checkOpenWindows(newest);
      if (firing !== undefined) out.alerts.push(firing);
    }
    return { ...out, late };
  }

  /**
   * A record of a hot port's sub-key (`tcp/445#k/n`): its events go to the
   * sub-key's partial windows, which `takePartials` ships to the merging
   * instance (merge.ts); they move the partition's watermark as every event does.
   */
  ingestSubKey(partition: number, sub: SubKey, batch: ConnectionBatch): DetectorOutput {
    const p = this.#partition(partition);
    let newest = p.maxEventTime;
    for (const e of batch.events) if (e.eventTime > newest) newest = e.eventTime;
    p.history.sources.advance(newest);
    p.history.destinations.advance(newest);
    let stage = this.#stages.get(partition);
    if (stage === undefined) {
      stage = new SubKeyStage(this.#stageOptions());
      this.#stages.set(partition, stage);
    }
    const late = stage.add(sub, batch, this.watermark(partition), p.history);
    p.maxEventTime = newest;
    if (batch.events.length > 0) p.sensors.set(batch.sensorId, Math.max(p.sensors.get(batch.sensorId) ?? newest, newest));
    // No events of ordinary ports, but the watermark may have moved: close their windows as usual.
    const out = this.ingest(partition, { sensorId: batch.sensorId, events: [] });
    return { ...out, late: out.late + late };
  }

  /** When the partition's sub-keys next have partial windows due (hot-ports.ts); undefined: none pending. */
  partialsDueAt(partition: number): number | undefined {
    return this.#stages.get(partition)?.pendingDueAt();
  }

  /** The sub-keys' partial windows to ship after a batch whose last record is at offset `through` (hot-ports.ts). */
  takePartials(partition: number, through: bigint, nowMs: number): PortPartial[] {
    const stage = this.#stages.get(partition);
    if (stage === undefined || stage.size === 0) return [];
    const p = this.#partition(partition);
    const sensorsKnown = [...p.sensors].filter(([, t]) => t >= p.maxEventTime - SENSOR_MEMORY_MS).map(([id]) => id);
    return stage.take({ partition, through, watermark: this.watermark(partition), maxEventTime: p.maxEventTime, sensorsKnown, nowMs });
  }

  /** The partition's own state and the ports changed since the last call (then forgotten as changed). */
  takeDirty(partition: number): { partition: PartitionSnapshot; ports: PortSnapshot[] } {
    const p = this.#partition(partition);
    const ports = [...p.dirty].map((ps) => ps.snapshot());
    p.dirty.clear();
    const subKeys = this.#stages.get(partition)?.snapshot() ?? [];
    return { partition: { maxEventTime: finite(p.maxEventTime), closedThrough: finite(p.closedThrough), sensors: [...p.sensors], ...(subKeys.length > 0 ? { subKeys } : {}) }, ports };
  }

  /**
   * Replaces a partition's state with a checkpoint (or with nothing: a fresh
   * start). Returns whether the Bloom snapshot was loaded; without one (none,
   * incomplete, or another size) the filters start empty.
   */
  restore(partition: number, snap: PartitionSnapshot | undefined, ports: readonly PortSnapshot[], bloom?: BloomState): boolean {
    this.#partitions.delete(partition);
    this.#stages.delete(partition);
    const p = this.#partition(partition);
    if (snap === undefined) return false;
    if (snap.subKeys !== undefined) this.#stages.set(partition, SubKeyStage.restore(snap.subKeys, this.#stageOptions()));
    p.maxEventTime = snap.maxEventTime ?? Number.NEGATIVE_INFINITY;
    p.closedThrough = snap.closedThrough ?? Number.NEGATIVE_INFINITY;
    for (const [id, t] of snap.sensors) p.sensors.set(id, t);
    for (const s of ports) p.ports.set(keyOf(s.protocol, s.port), PortState.restore(s, this.#opts, p.ctx));
    return bloom !== undefined && p.history.sources.load(bloom);
  }

  /** Forgets a partition this instance no longer owns. */
  drop(partition: number): void {
    this.#partitions.delete(partition);
    this.#stages.delete(partition);
  }

  #stageOptions(): DetectorOptions & { partialIntervalMs: number } {
    return { ...this.#opts, partialIntervalMs: this.#opts.partialIntervalMs ?? 2000 };
  }

  #partition(partition: number): PartitionState {
    let p = this.#partitions.get(partition);
    if (p === undefined) {
      const sensors = new Map<string, number>();
      // One shared array: a new source is looked up in both on the same (port, address) key.
      const [sources, destinations] = RotatingBloom.pair(this.#bloomBits);
      const history = { sources, destinations };
      const state: PartitionState = {
        maxEventTime: Number.NEGATIVE_INFINITY,
        closedThrough: Number.NEGATIVE_INFINITY,
        ports: new Map(),
        sensors,
        dirty: new Set(),
        history,
        ctx: {
          history,
          advisories: this.#advisories,
          sensorsKnown: () => {
            let n = 0;
            for (const t of sensors.values()) if (t >= state.maxEventTime - SENSOR_MEMORY_MS) n += 1;
            return n;
          },
        },
      };
      p = state;
      this.#partitions.set(partition, p);
    }
    return p;
  }
}
