import { describe, expect, it } from 'vitest';
import type { Alert, ConnectionBatch, ConnectionEvent, PortPartial, PortStats } from '../../../../services/common/avro/generated-types.ts';
import { Detector } from '../../../../services/detector/detector.ts';
import { parseSubKey } from '../../../../services/detector/hot-ports/hot-ports.ts';
import { PartialMerger } from '../../../../services/detector/hot-ports/merge.ts';
import { subKey, subKeyOf } from '../../../../services/sensor/batching.ts';
import { testOptions } from '../fixtures.ts';

const T0 = Date.parse('2026-11-27T08:00:00Z');
const opts = { ...testOptions, partialIntervalMs: 0 };

/**
 * 20 minutes of tcp/445: 25 sources a minute, a surge of 300 in minutes 8-10
 * (two of them scanners), in batches of at most 50 events and 5 s of event
 * time (as a sensor flushes; a longer batch of one sub-key would make the
 * next sub-key's events late on the same partition).
 */
function traffic(): ConnectionBatch[] {
  const events: ConnectionEvent[] = [];
  for (let m = 0; m < 20; m++) {
    const n = m >= 8 && m <= 10 ? 300 : 25;
    for (let i = 0; i < n; i++) {
      const hits = i < 2 && n > 25 ? 30 : 1;
      for (let h = 0; h < hits; h++) {
        events.push({ eventTime: T0 + m * 60_000 + Math.floor(((i * hits + h) * 59_000) / (n * hits)), protocol: 'TCP', srcIp: `198.51.${m}.${i}`, srcPort: 40000, dstIp: `203.0.${h}.${i % 250}`, dstPort: 445, outcome: 'ATTEMPT' });
      }
    }
  }
  events.sort((a, b) => a.eventTime - b.eventTime);
  const batches: ConnectionBatch[] = [];
  let batch: ConnectionEvent[] = [];
  for (const e of events) {
    const first = batch[0];
    if (first !== undefined && (batch.length >= 50 || Math.floor(e.eventTime / 5000) !== Math.floor(first.eventTime / 5000))) {
      batches.push({ sensorId: 's1', events: batch });
      batch = [];
    }
    batch.push(e);
  }
  batches.push({ sensorId: 's1', events: batch });
  return batches;
}

function unsplit(batches: ConnectionBatch[]): { alerts: Alert[]; stats: PortStats[] } {
  const d = new Detector(opts);
  const alerts: Alert[] = [];
  const stats: PortStats[] = [];
  for (const b of batches) {
    const out = d.ingest(0, b);
    alerts.push(...out.alerts);
    stats.push(...out.stats);
  }
  return { alerts, stats };
}

/**
 * The same traffic split into `n` sub-keys over two partitions (sub-key k in
 * partition k mod 2), counted by two stage detectors, merged by one merger.
 * `deliver` decides what the merger receives of each shipment (resends, reorders).
 */
function split(batches: ConnectionBatch[], n: number, deliver: (partials: PortPartial[], history: PortPartial[][]) => PortPartial[][] = (p) => [p]) {
  const stages = [new Detector(opts), new Detector(opts)];
  const merger = new PartialMerger(opts, () => []);
  const alerts: Alert[] = [];
  const stats: PortStats[] = [];
  const shipped: PortPartial[][] = [];
  let offset = 0n;
  for (const b of batches) {
    const bySub = new Map<string, ConnectionEvent[]>();
    for (const e of b.events) {
      const key = subKey('TCP', 445, subKeyOf(e.srcIp, n), n);
      bySub.set(key, [...(bySub.get(key) ?? []), e]);
    }
    for (const [key, events] of bySub) {
      const sub = parseSubKey(key);
      if (sub === undefined) throw new Error(key);
      const partition = sub.k % 2;
      stages[partition]?.ingestSubKey(partition, sub, { sensorId: b.sensorId, events });
      const partials = stages[partition]?.takePartials(partition, offset++, 0) ?? [];
      shipped.push(partials);
      for (const delivery of deliver(partials, shipped)) {
        const out = merger.apply(0, delivery, 0);
        alerts.push(...out.alerts);
        stats.push(...out.stats);
      }
    }
  }
  return { alerts, stats, counters: merger.counters };
}

const lifecycle = (alerts: Alert[]) => alerts.map((a) => [a.alertId, a.state, a.sequence, a.onsetWindowStart]);
const closed = (alerts: Alert[]) => alerts.filter((a) => a.state !== 'FIRING').map((a) => ({ state: a.state, figures: a.figures, shape: a.shape, scanners: a.topScanners }));
const figures = (stats: PortStats[]) => stats.map(({ windowStart, attempts, distinctSources, distinctDestinations, sensors, surging, scanners }) => ({ windowStart, attempts, distinctSources, distinctDestinations, sensors, surging, scanners }));

describe('hot-port merge', () => {
  it('alerts on a port split 4 ways as on the unsplit port: same ids, states, figures and scanners', () => {
    const batches = traffic();
    const whole = unsplit(batches);
    const parts = split(batches, 4);
    expect(lifecycle(whole.alerts).map((a) => a[1])).toEqual(['FIRING', 'UPDATED', 'UPDATED', 'RESOLVED']);
    expect(lifecycle(parts.alerts)).toEqual(lifecycle(whole.alerts));
    expect(closed(parts.alerts)).toEqual(closed(whole.alerts));
    expect(figures(parts.stats)).toEqual(figures(whole.stats).slice(0, parts.stats.length));
    expect(parts.stats.length).toBeGreaterThanOrEqual(whole.stats.length - 1);
  }, 30_000);

  it('replaces a re-sent partial instead of adding it, and ignores an older copy', { timeout: 60_000 }, () => {
    const batches = traffic();
    const once = split(batches, 4);
    // Every shipment arrives twice, and after it the shipment before it again (older offsets).
    const twice = split(batches, 4, (p, history) => [p, p, history.at(-2) ?? []]);
    expect(lifecycle(twice.alerts)).toEqual(lifecycle(once.alerts));
    expect(closed(twice.alerts)).toEqual(closed(once.alerts));
    expect(figures(twice.stats)).toEqual(figures(once.stats));
    expect(twice.counters.stale + twice.counters.late).toBeGreaterThan(0);
  });

  it('decides the same alerts, FIRING included, however the partials are batched (a merger replaying after a crash)', { timeout: 60_000 }, () => {
    const all: PortPartial[] = [];
    split(traffic(), 4, (p) => {
      all.push(...p);
      return [];
    });
    const merged = (chunk: number) => {
      const merger = new PartialMerger(opts, () => []);
      const alerts: Alert[] = [];
      for (let i = 0; i < all.length; i += chunk) alerts.push(...merger.apply(0, all.slice(i, i + chunk), 0).alerts);
      return alerts;
    };
    const one = merged(1);
    expect(one.map((a) => a.state)).toEqual(['FIRING', 'UPDATED', 'UPDATED', 'RESOLVED']);
    for (const chunk of [2, 7, 25]) expect(merged(chunk)).toEqual(one);
  });

  it('closes a merged window only when every sub-key is past it', () => {
    const merger = new PartialMerger(opts, () => []);
    const stage = new Detector(opts);
    const partial = (k: number, minute: number, through: number): PortPartial[] => {
      const sub = { protocol: 'TCP' as const, port: 445, k, n: 2 };
      stage.ingestSubKey(k, sub, { sensorId: 's1', events: [{ eventTime: T0 + minute * 60_000, protocol: 'TCP', srcIp: `198.51.100.${k}`, srcPort: 1, dstIp: '203.0.113.1', dstPort: 445, outcome: 'ATTEMPT' }] });
      return stage.takePartials(k, BigInt(through), 0);
    };
    expect(merger.apply(0, [...partial(0, 0, 1), ...partial(1, 0, 1)], 0).stats).toEqual([]);
    // Sub-key 0 moves on 3 minutes; sub-key 1 is still in minute 0: nothing closes.
    expect(merger.apply(0, partial(0, 3, 2), 0).stats).toEqual([]);
    // Sub-key 1 reaches minute 2: minutes 0 and 1 close, with both sub-keys' sources.
    const out = merger.apply(0, partial(1, 2, 2), 0);
    expect(out.stats.map((s) => [s.windowStart - T0, s.distinctSources])).toEqual([[0, 2]]);
  });
});
