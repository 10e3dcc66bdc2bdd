import type { PortPartial, Protocol } from '../../common/avro/generated-types.ts';
import type { AdvisorySource } from '../advisories.ts';
import { fromPartialWindow } from './partials.ts';
import { PortState } from '../port-state.ts';
import type { PortContext, PortOptions, PortOutput, PortSnapshot } from '../port-state.ts';
import { RotatingBloom } from '../sketch/bloom.ts';
import { hash32 } from '../sketch/hash.ts';
import { WindowAccumulator } from '../window.ts';
import type { WindowSnapshot } from '../window.ts';

/**
 * The second stage of a hot port: the instance that owns the real port's key
 * on the partials topic merges the sub-keys' partial windows and runs the
 * port's ordinary lifecycle (port-state.ts: baseline, FIRING, UPDATED,
 * RESOLVED, shape, worm-risk) on the merged windows, so a split port alerts
 * as an unsplit one would, with the same ids.
 *
 * - **Replace, never add.** A partial window is a cumulative snapshot of one
 *   sub-key's window as of input offset `through`. Per (sub-key, source
 *   partition, window) the merger keeps the copy with the highest `through`: a
 *   copy re-sent after a crash of either stage replaces the one it repeats,
 *   and an older copy (lower `through`) is ignored.
 * - **Merge.** Sketches by union (exact sets or HyperLogLog register max: no
 *   source counted twice), attempts and per-source tallies by sum (disjoint:
 *   one source is in one sub-key), sensors by union (window.ts).
 * - **Close.** A merged window closes when every sub-key heard has reported a
 *   watermark past its end. While some of the `n` sub-keys have never been
 *   heard, nothing closes for up to `MISSING_WAIT_MS` of wall-clock time after
 *   the first partial of the port (a sub-key without traffic never reports;
 *   one that is merely behind, on a slower instance or later in a replay,
 *   must not find its windows closed). Wall-clock, not event time: a replay
 *   runs through hours of event time in seconds.
 * - **FIRING early.** After each partial the oldest open merged window is
 *   checked against the threshold, as an unsplit port's open windows are
 *   after each record (per partial, not per fetched batch: a replay fetches
 *   differently and must decide the same). Only the oldest: a faster
 *   sub-key's next window must not fire before the current one is complete
 *   (the onset window names the alert).
 */
export const MISSING_WAIT_MS = 30_000;

interface Source {
  readonly n: number;
  readonly k: number;
  watermark: number;
  maxEventTime: number;
  sensors: readonly string[];
}

interface Part {
  readonly through: number;
  readonly final: boolean;
  readonly window: WindowSnapshot;
  readonly acc: WindowAccumulator;
}

/** A merged port in the checkpoint: its PortSnapshot (without open windows), the sub-keys heard and the partial windows held. */
export interface MergedPortSnapshot extends PortSnapshot {
  readonly sources: { id: string; n: number; k: number; watermark: number | null; maxEventTime: number | null; sensors: string[] }[];
  readonly parts: { start: number; id: string; through: number; final: boolean; window: WindowSnapshot }[];
}

export interface MergeCounters {
  /** Partial windows older (lower offset) than the copy already held. */
  stale: number;
  /** Partial windows of a merged window already closed. */
  late: number;
}

/** Merged windows are built from sketches, never from events: this history is never written. */
const NO_HISTORY = { sources: new RotatingBloom(16), destinations: new RotatingBloom(16) };
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
const orMinus = (x: number | null): number => x ?? Number.NEGATIVE_INFINITY;

export class MergedPort {
  readonly protocol: Protocol;
  readonly port: number;
  readonly #opts: PortOptions;
  readonly #ctx: PortContext;
  readonly #portHash: number;
  /** The port's lifecycle state; its open windows are rebuilt from the parts at each step. */
  #base: PortSnapshot;
  readonly #sources = new Map<string, Source>();
  readonly #parts = new Map<number, Map<string, Part>>();
  /** Wall clock of the first partial this instance applied (not checkpointed: a restart waits again). */
  #firstApplied: number | undefined;
  #now = 0;

  constructor(protocol: Protocol, port: number, opts: PortOptions, advisories: AdvisorySource) {
    this.protocol = protocol;
    this.port = port;
    this.#opts = opts;
    this.#portHash = hash32(`${protocol}/${port}`);
    this.#ctx = { history: NO_HISTORY, advisories, sensorsKnown: () => new Set([...this.#sources.values()].flatMap((s) => s.sensors)).size };
    this.#base = { ...new PortState(protocol, port, opts, this.#ctx).snapshot(), windows: [] };
  }

  apply(p: PortPartial, counters: MergeCounters, nowMs: number): void {
    this.#firstApplied ??= nowMs;
    this.#now = nowMs;
    const id = `${p.split}/${p.subKey}@${p.sourcePartition}`;
    const next = this.#base.nextToClose;
    for (const w of p.windows) {
      if (next !== null && w.windowStart < next) {
        counters.late += 1;
        continue;
      }
      let parts = this.#parts.get(w.windowStart);
      if (parts === undefined) {
        parts = new Map();
        this.#parts.set(w.windowStart, parts);
      }
      const have = parts.get(id);
      if (have !== undefined && have.through > p.through) {
        counters.stale += 1;
        continue;
      }
      parts.set(id, this.#part(p.through, w.final, fromPartialWindow(w)));
    }
    if (p.retired) {
      this.#sources.delete(id);
      return;
    }
    const s = this.#sources.get(id) ?? { n: p.split, k: p.subKey, watermark: Number.NEGATIVE_INFINITY, maxEventTime: Number.NEGATIVE_INFINITY, sensors: [] };
    s.watermark = Math.max(s.watermark, orMinus(p.watermark));
    s.maxEventTime = Math.max(s.maxEventTime, orMinus(p.maxEventTime));
    s.sensors = p.sensorsKnown;
    this.#sources.set(id, s);
  }

  /** Closes the merged windows every sub-key is past, then checks the oldest open one for FIRING. */
  advance(out: PortOutput): void {
    const starts = [...this.#parts.keys()].sort((a, b) => a - b);
    const nextToClose = this.#base.nextToClose ?? starts[0] ?? null;
    if (nextToClose === null) return;
    const windows = starts.map((s) => this.#merged(s).snapshot());
    const ps = PortState.restore({ ...this.#base, nextToClose, windows }, this.#opts, this.#ctx);
    ps.closeUpTo(this.#watermark(), out, this.#eventTime());
    let snap = ps.snapshot();
    for (const s of starts) if (snap.nextToClose !== null && s < snap.nextToClose) this.#parts.delete(s);
    const oldest = [...snap.windows].sort((a, b) => a.start - b.start)[0];
    if (oldest !== undefined && snap.surge === null) {
      const one = PortState.restore({ ...snap, windows: [oldest] }, this.#opts, this.#ctx);
      const firing = one.checkOpenWindows(this.#eventTime());
      if (firing !== undefined) {
        out.alerts.push(firing);
        snap = one.snapshot();
      }
    }
    this.#base = { ...snap, windows: [] };
  }

  snapshot(): MergedPortSnapshot {
    return {
      ...this.#base,
      sources: [...this.#sources].map(([id, s]) => ({ id, n: s.n, k: s.k, watermark: finite(s.watermark), maxEventTime: finite(s.maxEventTime), sensors: [...s.sensors] })),
      parts: [...this.#parts].flatMap(([start, parts]) => [...parts].map(([id, p]) => ({ start, id, through: p.through, final: p.final, window: p.window }))),
    };
  }

  static restore(s: MergedPortSnapshot, opts: PortOptions, advisories: AdvisorySource): MergedPort {
    const m = new MergedPort(s.protocol, s.port, opts, advisories);
    const { sources, parts, ...base } = s;
    m.#base = { ...base, windows: [] };
    for (const src of sources) m.#sources.set(src.id, { n: src.n, k: src.k, watermark: orMinus(src.watermark), maxEventTime: orMinus(src.maxEventTime), sensors: src.sensors });
    for (const p of parts) {
      let byId = m.#parts.get(p.start);
      if (byId === undefined) {
        byId = new Map();
        m.#parts.set(p.start, byId);
      }
      byId.set(p.id, m.#part(p.through, p.final, p.window));
    }
    return m;
  }

  #part(through: number, final: boolean, window: WindowSnapshot): Part {
    return { through, final, window, acc: WindowAccumulator.restore(window, this.#opts.windowMs, this.#portHash, this.#opts) };
  }

  #merged(start: number): WindowAccumulator {
    const acc = new WindowAccumulator(start, this.#opts.windowMs, this.#portHash, this.#opts);
    for (const p of this.#parts.get(start)?.values() ?? []) acc.merge(p.acc);
    return acc;
  }

  /** The slowest sub-key's watermark; sub-keys never heard hold everything back for at most `MISSING_WAIT_MS`. */
  #watermark(): number {
    let min = Number.POSITIVE_INFINITY;
    const heard = new Map<number, Set<number>>();
    for (const s of this.#sources.values()) {
      min = Math.min(min, s.watermark);
      let ks = heard.get(s.n);
      if (ks === undefined) {
        ks = new Set();
        heard.set(s.n, ks);
      }
      ks.add(s.k);
    }
    if (this.#sources.size === 0) return Number.NEGATIVE_INFINITY;
    const complete = [...heard].every(([n, ks]) => ks.size >= n);
    const waited = this.#now - (this.#firstApplied ?? this.#now) >= MISSING_WAIT_MS;
    return complete || waited ? min : Number.NEGATIVE_INFINITY;
  }

  #eventTime(): number {
    let t = Number.NEGATIVE_INFINITY;
    for (const s of this.#sources.values()) t = Math.max(t, s.maxEventTime);
    return t;
  }
}

/** The merged ports of each owned partition of the partials topic, with what changed since the last checkpoint. */
export class PartialMerger {
  readonly #opts: PortOptions;
  readonly #advisories: AdvisorySource;
  readonly #partitions = new Map<number, { ports: Map<string, MergedPort>; dirty: Set<MergedPort> }>();
  readonly counters: MergeCounters = { stale: 0, late: 0 };

  constructor(opts: PortOptions, advisories: AdvisorySource) {
    this.#opts = opts;
    this.#advisories = advisories;
  }

  /**
   * Applies a batch of partials of one partition, advancing the port after
   * each one: what the merger decides then depends on the partials in log
   * order, not on how they were fetched, so a merger that replays from its
   * checkpoint after a crash repeats the same states with the same figures
   * (a FIRING judged after a whole batch would see a fuller window than one
   * judged after part of it).
   */
  apply(partition: number, partials: readonly PortPartial[], nowMs: number): PortOutput {
    const p = this.#partition(partition);
    const out: PortOutput = { alerts: [], stats: [] };
    for (const partial of partials) {
      const key = `${partial.protocol}/${partial.port}`;
      let port = p.ports.get(key);
      if (port === undefined) {
        port = new MergedPort(partial.protocol, partial.port, this.#opts, this.#advisories);
        p.ports.set(key, port);
      }
      port.apply(partial, this.counters, nowMs);
      port.advance(out);
      p.dirty.add(port);
    }
    return out;
  }

  takeDirty(partition: number): MergedPortSnapshot[] {
    const p = this.#partition(partition);
    const snaps = [...p.dirty].map((m) => m.snapshot());
    p.dirty.clear();
    return snaps;
  }

  restore(partition: number, ports: readonly MergedPortSnapshot[]): void {
    this.#partitions.delete(partition);
    const p = this.#partition(partition);
    for (const s of ports) p.ports.set(`${s.protocol}/${s.port}`, MergedPort.restore(s, this.#opts, this.#advisories));
  }

  drop(partition: number): void {
    this.#partitions.delete(partition);
  }

  #partition(partition: number): { ports: Map<string, MergedPort>; dirty: Set<MergedPort> } {
    let p = this.#partitions.get(partition);
    if (p === undefined) {
      p = { ports: new Map(), dirty: new Set() };
      this.#partitions.set(partition, p);
    }
    return p;
  }
}
