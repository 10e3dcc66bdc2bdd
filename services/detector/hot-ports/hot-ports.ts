import type { ConnectionBatch, PortPartial, Protocol } from '../../common/avro/generated-types.ts';
import { toPartialWindow } from './partials.ts';
import { hash32 } from '../sketch/hash.ts';
import { WindowAccumulator, windowStartOf } from '../window.ts';
import type { AddressHistory, WindowOptions, WindowSnapshot } from '../window.ts';

/**
 * The first stage of a hot port: the detector instance that owns a sub-key's
 * partition counts the sub-key's events into partial windows and ships them
 * (as cumulative snapshots) to the instance that merges them (merge.ts).
 *
 * A sensor publishes a hot port's events under `<protocol>/<port>#k/n`, k =
 * hash(source) mod n (services/sensor/batching.ts), so one source is always in
 * one sub-key and the sub-keys' per-source tallies are disjoint.
 */
export interface SubKey {
  readonly protocol: Protocol;
  readonly port: number;
  /** Sub-key index, 0 ≤ k < n. */
  readonly k: number;
  /** How many sub-keys the sensors split the port into. */
  readonly n: number;
}

const SUB_KEY = /^(tcp|udp|icmp)\/(\d{1,5})#(\d{1,4})\/(\d{1,4})$/;

/** The sub-key a record key names, or undefined for an ordinary `tcp/445` key. */
export function parseSubKey(key: string | null): SubKey | undefined {
  if (key === null || !key.includes('#')) return undefined;
  const m = SUB_KEY.exec(key);
  if (m === null) return undefined;
  const [, proto = '', port = '', k = '', n = ''] = m;
  const sub = { protocol: proto.toUpperCase() as Protocol, port: Number(port), k: Number(k), n: Number(n) };
  return sub.port <= 65_535 && sub.k < sub.n ? sub : undefined;
}

export interface StageOptions extends WindowOptions {
  readonly windowMs: number;
  /** Least wall-clock time between two shipments of a sub-key's open windows; closing windows always ship at once. */
  readonly partialIntervalMs: number;
}

/** One sub-key's state in the checkpoint (part of the partition's record, detector.ts). */
export interface SubKeySnapshot {
  readonly sub: SubKey;
  readonly lastEvent: number;
  readonly windows: WindowSnapshot[];
}

interface SubKeyState {
  readonly sub: SubKey;
  readonly windows: Map<number, WindowAccumulator>;
  readonly changed: Set<number>;
  lastEvent: number;
  /** Wall clock of the last shipment of open windows. */
  shippedAt: number;
  /** Window boundary of the watermark last reported to the merger. */
  reported: number;
}

/** A sub-key silent for this much event time is forgotten (and the merger told so). */
const IDLE_MS = 60 * 60 * 1000;
const idOf = (s: SubKey): string => `${s.protocol}/${s.port}#${s.k}/${s.n}`;

/** The sub-keys of one input partition. Pure: the clock is passed in. */
export class SubKeyStage {
  readonly #opts: StageOptions;
  readonly #subKeys = new Map<string, SubKeyState>();

  constructor(opts: StageOptions) {
    this.#opts = opts;
  }

  get size(): number {
    return this.#subKeys.size;
  }

  /** Counts a batch of a sub-key into its windows; returns how many events were late (window already final). */
  add(sub: SubKey, batch: ConnectionBatch, watermark: number, history: AddressHistory): number {
    const s = this.#state(sub);
    const size = this.#opts.windowMs;
    let late = 0;
    for (const e of batch.events) {
      const start = windowStartOf(e.eventTime, size);
      if (start + size <= watermark) {
        late += 1;
        continue;
      }
      let acc = s.windows.get(start);
      if (acc === undefined) {
        acc = new WindowAccumulator(start, size, hash32(`${sub.protocol}/${sub.port}`), this.#opts);
        s.windows.set(start, acc);
      }
      acc.add(e, batch.sensorId, history);
      s.changed.add(start);
      if (e.eventTime > s.lastEvent) s.lastEvent = e.eventTime;
    }
    return late;
  }

  /**
   * What to ship after a fetched batch whose last record is at offset
   * `through`: per sub-key, its windows the watermark has passed (final, then
   * forgotten), its changed open windows if `partialIntervalMs` has passed
   * since their last shipment, an empty record when only the watermark moved
   * to a new window (so the merger knows this sub-key is past it), and a
   * `retired` record for a sub-key idle for an hour.
   */
  take(ctx: { partition: number; through: bigint; watermark: number; maxEventTime: number; sensorsKnown: string[]; nowMs: number }): PortPartial[] {
    const out: PortPartial[] = [];
    const size = this.#opts.windowMs;
    const boundary = windowStartOf(ctx.watermark, size);
    for (const [id, s] of this.#subKeys) {
      const due = ctx.nowMs - s.shippedAt >= this.#opts.partialIntervalMs;
      const windows = [];
      for (const [start, acc] of [...s.windows].sort((a, b) => a[0] - b[0])) {
        const final = start + size <= ctx.watermark;
        if (!final && !(due && s.changed.has(start))) continue;
        windows.push(toPartialWindow(acc.snapshot(), final));
        s.changed.delete(start);
        if (final) s.windows.delete(start);
      }
      const retired = s.windows.size === 0 && s.lastEvent < ctx.maxEventTime - IDLE_MS;
      if (windows.length === 0 && boundary <= s.reported && !retired) continue;
      if (due) s.shippedAt = ctx.nowMs;
      s.reported = Math.max(s.reported, boundary);
      if (retired) this.#subKeys.delete(id);
      out.push({
        protocol: s.sub.protocol,
        port: s.sub.port,
        subKey: s.sub.k,
        split: s.sub.n,
        sourcePartition: ctx.partition,
        through: Number(ctx.through),
        watermark: Number.isFinite(ctx.watermark) ? ctx.watermark : null,
        maxEventTime: Number.isFinite(ctx.maxEventTime) ? ctx.maxEventTime : null,
        retired,
        sensorsKnown: ctx.sensorsKnown,
        windows,
      });
    }
    return out;
  }

  /**
   * Wall clock at which changed open windows held back by the interval become
   * due, if any are: `take` runs only after a fetched batch, so a caller that
   * wants them shipped while the partition is quiet calls `take` again then.
   */
  pendingDueAt(): number | undefined {
    let at: number | undefined;
    for (const s of this.#subKeys.values()) {
      if (s.changed.size === 0) continue;
      const due = s.shippedAt + this.#opts.partialIntervalMs;
      at = at === undefined ? due : Math.min(at, due);
    }
    return at;
  }

  snapshot(): SubKeySnapshot[] {
    return [...this.#subKeys.values()].map((s) => ({ sub: s.sub, lastEvent: s.lastEvent, windows: [...s.windows.values()].map((w) => w.snapshot()) }));
  }

  /**
   * After a restore every window is shipped again at the next batch: the
   * merger keeps whichever copy has the higher offset, so a window shipped
   * before the crash from further on is not replaced by this older one.
   */
  static restore(snaps: readonly SubKeySnapshot[], opts: StageOptions): SubKeyStage {
    const stage = new SubKeyStage(opts);
    for (const snap of snaps) {
      const s = stage.#state(snap.sub);
      s.lastEvent = snap.lastEvent;
      const portHash = hash32(`${snap.sub.protocol}/${snap.sub.port}`);
      for (const w of snap.windows) {
        s.windows.set(w.start, WindowAccumulator.restore(w, opts.windowMs, portHash, opts));
        s.changed.add(w.start);
      }
    }
    return stage;
  }

  #state(sub: SubKey): SubKeyState {
    const id = idOf(sub);
    let s = this.#subKeys.get(id);
    if (s === undefined) {
      s = { sub, windows: new Map(), changed: new Set(), lastEvent: Number.NEGATIVE_INFINITY, shippedAt: Number.NEGATIVE_INFINITY, reported: Number.NEGATIVE_INFINITY };
      this.#subKeys.set(id, s);
    }
    return s;
  }
}
