import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../../services/common/avro/generated-types.ts';
import type { OutRecord } from '../../../../services/common/kafka/transport.ts';
import { applyCheckpointRecord, checkpointRecords, checkpointSendOptions, COMPRESS_ABOVE } from '../../../../services/detector/stream/checkpoint.ts';
import type { RestoredPartition } from '../../../../services/detector/stream/checkpoint.ts';
import { Detector } from '../../../../services/detector/detector.ts';
import { toBatches } from '../../../../services/sensor/batching.ts';
import { SCENARIOS, scenarioMinute } from '../../../../services/sensor/scenarios/generate.ts';
import { testOptions } from '../fixtures.ts';

const T0 = Date.parse('2026-11-27T08:00:00Z');
const found = SCENARIOS['demo'];
if (found === undefined) throw new Error('demo scenario missing');
const demo = found;

/** Feeds scenario minutes; after each minute, checkpoints like the pipeline does into `changelog` (if given). */
function feed(d: Detector, from: number, to: number, changelog?: Map<number, RestoredPartition>): Alert[] {
  const alerts: Alert[] = [];
  for (let m = from; m < to; m++) {
    for (const b of toBatches('s1', scenarioMinute(demo, 1, T0, m), 200)) alerts.push(...d.ingest(0, b.batch).alerts);
    if (changelog === undefined) continue;
    for (const r of checkpointRecords('g', 0, 3, BigInt(m), d.takeDirty(0))) {
      expect(r.partition).toBe(0);
      applyCheckpointRecord(changelog, 'g', new Set([0]), r.key ?? '', r.value ?? Buffer.alloc(0));
    }
  }
  return alerts;
}

/** What must survive a restore: the lifecycle and the figures (the new-source/DSC history is the Bloom snapshot's: bloom-checkpoint.test.ts). */
const essentials = (a: Alert) => [a.alertId, a.state, a.sequence, a.windowStart, a.figures, a.baseline, a.shape, a.severity, a.wormRisk.level];

describe('detector checkpoint', () => {
  it('restores windows, sketches, baselines and the open surge so that the run continues as if uninterrupted', { timeout: 60_000 }, () => {
    const straight = new Detector(testOptions);
    const expected = feed(straight, 0, 28);

    const changelog = new Map<number, RestoredPartition>();
    const crashed = new Detector(testOptions);
    const before = feed(crashed, 0, 14, changelog);
    expect(before.map((a) => a.state)).toContain('FIRING');

    const restored = changelog.get(0);
    expect(restored?.meta?.nextOffset).toBe('13');
    const successor = new Detector(testOptions);
    successor.restore(0, restored?.meta?.partition, [...(restored?.ports.values() ?? [])]);
    const after = feed(successor, 14, 28);

    expect([...before, ...after].map(essentials)).toEqual(expected.map(essentials));
    expect(after.at(-1)).toMatchObject({ state: 'RESOLVED', alertId: before[0]?.alertId });
  });

  it('keeps checkpoints of other consumer groups and partitions apart', () => {
    const changelog = new Map<number, RestoredPartition>();
    const d = new Detector(testOptions);
    feed(d, 0, 2);
    for (const r of checkpointRecords('other', 0, 3, 5n, d.takeDirty(0))) applyCheckpointRecord(changelog, 'g', new Set([0]), r.key ?? '', r.value ?? Buffer.alloc(0));
    for (const r of checkpointRecords('g', 1, 3, 5n, d.takeDirty(1))) applyCheckpointRecord(changelog, 'g', new Set([0]), r.key ?? '', r.value ?? Buffer.alloc(0));
    expect(changelog.size).toBe(0);
  });
});

describe('checkpoint compression', () => {
  it('sends a checkpoint over 8 MiB gzip\'d and a smaller one as it is', () => {
    const port = (i: number): OutRecord => ({ key: `g|0|TCP/${i}`, value: Buffer.alloc(800, 65), partition: 0 });
    expect(checkpointSendOptions(Array.from({ length: 2000 }, (_, i) => port(i)))).toEqual({});
    expect(checkpointSendOptions(Array.from({ length: 12_000 }, (_, i) => port(i)))).toEqual({ compression: 'gzip' });
    expect(COMPRESS_ABOVE).toBe(8 * 1024 * 1024);
  });
});
