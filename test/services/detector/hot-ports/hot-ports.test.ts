import { describe, expect, it } from 'vitest';
import type { ConnectionEvent, PortPartial } from '../../../../services/common/avro/generated-types.ts';
import { applyCheckpointRecord, checkpointRecords } from '../../../../services/detector/stream/checkpoint.ts';
import type { RestoredPartition } from '../../../../services/detector/stream/checkpoint.ts';
import { Detector } from '../../../../services/detector/detector.ts';
import { parseSubKey, SubKeyStage } from '../../../../services/detector/hot-ports/hot-ports.ts';
import { RotatingBloom } from '../../../../services/detector/sketch/bloom.ts';
import { testOptions } from '../fixtures.ts';

const T0 = Date.parse('2026-11-27T08:00:00Z');
const MIN = 60_000;
const SUB = { protocol: 'TCP' as const, port: 445, k: 1, n: 4 };
const history = () => ({ sources: new RotatingBloom(16), destinations: new RotatingBloom(16) });
const event = (at: number, src: string): ConnectionEvent => ({ eventTime: T0 + at, protocol: 'TCP', srcIp: src, srcPort: 40000, dstIp: '203.0.113.9', dstPort: 445, outcome: 'ATTEMPT' });
const batch = (at: number, sources: number, prefix = '198.51.100') => ({ sensorId: 's1', events: Array.from({ length: sources }, (_, i) => event(at, `${prefix}.${i}`)) });
/** What a shipment says, per partial: windows as [minute, attempts, final], and the watermark's minute. */
const shipped = (ps: PortPartial[]) => ps.map((p) => ({ retired: p.retired, windows: p.windows.map((w) => [(w.windowStart - T0) / MIN, w.attempts, w.final]) }));

/** One sub-key's stage driven by hand: the watermark is newest event time − 10 s, as the detector computes it. */
function stage(partialIntervalMs: number) {
  const s = new SubKeyStage({ ...testOptions, partialIntervalMs });
  let newest = Number.NEGATIVE_INFINITY;
  let through = 0n;
  return {
    stage: s,
    add(at: number, sources: number, prefix?: string) {
      s.add(SUB, batch(at, sources, prefix), newest - testOptions.allowedLatenessMs, history());
      newest = Math.max(newest, T0 + at);
    },
    /** The partition moved on through other keys' records (no events of this sub-key). */
    other(at: number) {
      newest = Math.max(newest, T0 + at);
    },
    take(nowMs: number) {
      through += 1n;
      return s.take({ partition: 0, through, watermark: newest - testOptions.allowedLatenessMs, maxEventTime: newest, sensorsKnown: ['s1'], nowMs });
    },
  };
}

describe('hot-port sub-keys (stage 1)', () => {
  it('parses sub-keys and leaves ordinary keys alone', () => {
    expect(parseSubKey('tcp/445#3/8')).toEqual({ protocol: 'TCP', port: 445, k: 3, n: 8 });
    expect(parseSubKey('tcp/445')).toBeUndefined();
    expect(parseSubKey('tcp/445#8/8')).toBeUndefined();
    expect(parseSubKey('tcp/70000#0/2')).toBeUndefined();
    expect(parseSubKey(null)).toBeUndefined();
  });

  it('ships changed open windows at most every partial interval, and a closed window at once as final', () => {
    const s = stage(2000);
    s.add(1000, 5);
    expect(shipped(s.take(0))).toEqual([{ retired: false, windows: [[0, 5, false]] }]);
    expect(s.stage.pendingDueAt()).toBeUndefined();
    s.add(2000, 3, '198.51.101');
    // 1.9 s later: changed, but not due (until 2 s after the last shipment).
    expect(s.take(1900)).toEqual([]);
    // Due: the cumulative window, with the offset of the batch that last changed it.
    const due = s.take(2000);
    expect(shipped(due)).toEqual([{ retired: false, windows: [[0, 8, false]] }]);
    expect(due[0]?.through).toBe(3);
    // Nothing changed since: nothing to ship.
    expect(s.take(3000)).toEqual([]);
    // Minute 1 pushes the watermark past minute 0: minute 0 goes out final at once, 1.5 s after the last shipment;
    // minute 1, open and not due, waits for the interval.
    s.add(MIN + 20_000, 2, '198.51.102');
    expect(shipped(s.take(3500))).toEqual([{ retired: false, windows: [[0, 8, true]] }]);
    expect(s.take(3900)).toEqual([]);
    expect(s.stage.pendingDueAt()).toBe(4000);
    expect(shipped(s.take(4000))).toEqual([{ retired: false, windows: [[1, 2, false]] }]);
    // A final window is forgotten once shipped.
    expect(s.stage.snapshot()[0]?.windows.map((w) => (w.start - T0) / MIN)).toEqual([1]);
  });

  it('sends an empty progress record when only the watermark moved into a new window', () => {
    const s = stage(0);
    s.add(1000, 4);
    expect(shipped(s.take(0))).toEqual([{ retired: false, windows: [[0, 4, false]] }]);
    // The partition's other ports move the watermark past minute 0: the window goes out final.
    s.other(MIN + 15_000);
    expect(shipped(s.take(1))).toEqual([{ retired: false, windows: [[0, 4, true]] }]);
    // Within the same window: nothing. Into minute 2 and 3: one empty record each, with the new watermark.
    s.other(MIN + 40_000);
    expect(s.take(2)).toEqual([]);
    s.other(2 * MIN + 15_000);
    const progress = s.take(3);
    expect(shipped(progress)).toEqual([{ retired: false, windows: [] }]);
    expect(progress[0]?.watermark).toBe(T0 + 2 * MIN + 5000);
    s.other(3 * MIN + 15_000);
    expect(shipped(s.take(4))).toEqual([{ retired: false, windows: [] }]);
  });

  it('retires a sub-key idle for an hour of event time, once, and forgets it', () => {
    const s = stage(0);
    s.add(1000, 4);
    s.take(0);
    s.other(30 * MIN);
    expect(shipped(s.take(1))).toEqual([{ retired: false, windows: [[0, 4, true]] }]);
    s.other(61 * MIN);
    expect(shipped(s.take(2))).toEqual([{ retired: true, windows: [] }]);
    expect(s.stage.size).toBe(0);
    s.other(62 * MIN);
    expect(s.take(3)).toEqual([]);
    // Traffic again: the sub-key is back.
    s.add(63 * MIN, 1);
    expect(shipped(s.take(4))).toEqual([{ retired: false, windows: [[63, 1, false]] }]);
  });

  it('keeps open partial windows through the checkpoint and re-ships them after a restore', () => {
    const opts = { ...testOptions, partialIntervalMs: 0 };
    const key = 'tcp/445#1/4';
    const sub = parseSubKey(key);
    if (sub === undefined) throw new Error(key);
    const a = new Detector(opts);
    a.ingestSubKey(0, sub, batch(1000, 30));
    a.ingestSubKey(0, sub, batch(MIN + 20_000, 6, '198.51.101'));
    const before = a.takePartials(0, 7n, 0);
    // The checkpoint as the pipeline writes it, read back as the changelog reader folds it.
    const found = new Map<number, RestoredPartition>();
    for (const r of checkpointRecords('g', 0, 1, 8n, a.takeDirty(0))) applyCheckpointRecord(found, 'g', new Set([0]), r.key ?? '', r.value ?? Buffer.alloc(0));
    const b = new Detector(opts);
    b.restore(0, found.get(0)?.meta?.partition, [...(found.get(0)?.ports.values() ?? [])]);
    // The open window (minute 1; minute 0 was final and is gone) is shipped again, with the same content.
    const again = b.takePartials(0, 7n, 0);
    expect(shipped(again)).toEqual([{ retired: false, windows: [[1, 6, false]] }]);
    expect(again[0]?.windows).toEqual(before[0]?.windows.filter((w) => !w.final));
    // Both go on alike: the restored state is the whole state.
    for (const d of [a, b]) d.ingestSubKey(0, sub, batch(2 * MIN + 20_000, 3, '198.51.102'));
    expect(b.takePartials(0, 9n, 1)).toEqual(a.takePartials(0, 9n, 1));
  });
});
