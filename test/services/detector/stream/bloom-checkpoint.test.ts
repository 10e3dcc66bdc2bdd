import { describe, expect, it } from 'vitest';
import type { PortStats } from '../../../../services/common/avro/generated-types.ts';
import { assembleBloom, bloomDelta, bloomRecords } from '../../../../services/detector/stream/bloom-checkpoint.ts';
import type { BloomManifest } from '../../../../services/detector/stream/bloom-checkpoint.ts';
import { applyCheckpointRecord, checkpointRecords } from '../../../../services/detector/stream/checkpoint.ts';
import type { RestoredPartition } from '../../../../services/detector/stream/checkpoint.ts';
import { Detector } from '../../../../services/detector/detector.ts';
import { toBatches } from '../../../../services/sensor/batching.ts';
import { SCENARIOS, scenarioMinute } from '../../../../services/sensor/scenarios/generate.ts';
import { testOptions } from '../fixtures.ts';

const T0 = Date.parse('2026-11-27T08:00:00Z');
const found = SCENARIOS['demo'];
if (found === undefined) throw new Error('demo scenario missing');
const demo = found;
/** 16 KiB chunks: the test filters (2^18 bits per generation and filter, 128 KiB) span 8 of them. */
const CHUNK = 16 * 1024;
const TARGET = { groupId: 'g', partition: 0, changelogPartition: 0 };

/** Feeds scenario minutes into partition 0 and returns the port-stats (where new-source and DSC counts show). */
function feed(d: Detector, from: number, to: number): PortStats[] {
  const stats: PortStats[] = [];
  for (let m = from; m < to; m++) for (const b of toBatches('s1', scenarioMinute(demo, 1, T0, m), 200)) stats.push(...d.ingest(0, b.batch).stats);
  return stats;
}

/** Checkpoints partition 0 like the pipeline (Bloom chunks, then ports and the partition record naming them) into `changelog`. */
function checkpoint(d: Detector, changelog: Map<number, RestoredPartition>, slot: 0 | 1, offset: bigint): BloomManifest {
  const state = d.bloomState(0);
  if (state === undefined) throw new Error('partition 0 not held');
  const { records, manifest } = bloomRecords(TARGET, slot, offset, state, CHUNK);
  for (const r of [...records, ...checkpointRecords('g', 0, 1, offset, d.takeDirty(0), manifest)]) {
    applyCheckpointRecord(changelog, 'g', new Set([0]), r.key ?? '', r.value ?? Buffer.alloc(0));
  }
  return manifest;
}

const newAndDsc = (s: PortStats[]) => s.map((x) => [x.port, x.windowStart, x.newSources, x.dscSources]);

describe('Bloom snapshots in the checkpoint', () => {
  it('restore the new-source and DSC history, so later windows count as in an uninterrupted run', () => {
    const expected = feed(new Detector(testOptions), 0, 28).filter((s) => s.windowStart >= T0 + 14 * 60_000);
    const changelog = new Map<number, RestoredPartition>();
    const crashed = new Detector(testOptions);
    feed(crashed, 0, 7);
    checkpoint(crashed, changelog, 0, 7n);
    feed(crashed, 7, 14);
    const manifest = checkpoint(crashed, changelog, 1, 14n);
    const restored = changelog.get(0);
    expect(restored?.meta?.bloom).toEqual(manifest);
    expect(restored?.ports.size).toBeGreaterThan(0);
    expect([...(restored?.ports.keys() ?? [])].every((k) => k.includes('/'))).toBe(true);
    expect(restored?.bloom.size).toBe(2 * manifest.chunks);
    expect(manifest.chunks).toBe(8);

    const successor = new Detector(testOptions);
    const loaded = successor.restore(0, restored?.meta?.partition, [...(restored?.ports.values() ?? [])], assembleBloom(restored?.meta?.bloom, restored?.bloom ?? new Map()));
    expect(loaded).toBe(true);
    expect(newAndDsc(feed(successor, 14, 28).filter((s) => s.windowStart >= T0 + 14 * 60_000))).toEqual(newAndDsc(expected));

    // Without the filters (today's behaviour before snapshots) the same windows count differently: the comparison above can fail.
    const forgetful = new Detector(testOptions);
    forgetful.restore(0, restored?.meta?.partition, [...(restored?.ports.values() ?? [])]);
    expect(newAndDsc(feed(forgetful, 14, 28).filter((s) => s.windowStart >= T0 + 14 * 60_000))).not.toEqual(newAndDsc(expected));
  });

  it('fall back to empty filters when a chunk is missing, belongs to another snapshot or has another size', () => {
    const d = new Detector(testOptions);
    feed(d, 0, 3);
    const state = d.bloomState(0);
    if (state === undefined) throw new Error('partition 0 not held');
    const { records, manifest } = bloomRecords(TARGET, 1, 42n, state, CHUNK);
    const chunks = new Map(records.map((r) => [(r.key ?? '').split('|').slice(3).join('|'), r.value ?? Buffer.alloc(0)]));
    expect(assembleBloom(manifest, chunks)?.words).toEqual(state.words);

    const missing = new Map(chunks);
    missing.delete('1|3');
    expect(assembleBloom(manifest, missing)).toBeUndefined();
    // An unfinished later snapshot overwrote one chunk of the slot.
    const other = bloomRecords(TARGET, 1, 43n, state, CHUNK).records[5];
    const mixed = new Map(chunks).set('1|5', other?.value ?? Buffer.alloc(0));
    expect(assembleBloom(manifest, mixed)).toBeUndefined();
    expect(assembleBloom(undefined, chunks)).toBeUndefined();

    // A snapshot of filters of another size (BLOOM_BITS or the partition count changed) is not loaded.
    const bigger = new Detector({ ...testOptions, bloomBits: 20 });
    const restored = bigger.restore(0, { maxEventTime: null, closedThrough: null, sensors: [] }, [], assembleBloom(manifest, chunks));
    expect(restored).toBe(false);
    expect(bigger.bloomState(0)?.words.every((b) => b === 0)).toBe(true);
  });

  it('restore the filters exactly as at the checkpoint from a base and the deltas written since', () => {
    // Filters of 2^22 bits (2 MiB for the pair's two generations): a few minutes of the scenario touch a small share of their blocks.
    const d = new Detector({ ...testOptions, bloomBits: 22 });
    const changelog = new Map<number, RestoredPartition>();
    const put = (rs: readonly { key?: string | null; value?: Buffer | null }[]) => {
      for (const r of rs) applyCheckpointRecord(changelog, 'g', new Set([0]), r.key ?? '', r.value ?? Buffer.alloc(0));
    };
    const state = () => {
      const s = d.bloomState(0);
      if (s === undefined) throw new Error('partition 0 not held');
      return s;
    };
    feed(d, 0, 4);
    // A partition that started empty: a base of no chunks, and everything since as its first delta.
    const empty = bloomRecords(TARGET, 0, 4n, state(), CHUNK, true);
    expect(empty.records).toHaveLength(0);
    let chain = bloomDelta(TARGET, empty.manifest, state(), CHUNK);
    if (chain === undefined) throw new Error('a young filter changed in under half its blocks');
    state().changed?.fill(0);
    put(chain.records);
    const deltaBytes: number[] = [];
    for (const [from, to] of [[4, 6], [6, 9]] as const) {
      feed(d, from, to);
      const next = bloomDelta(TARGET, chain.manifest, state(), CHUNK);
      if (next === undefined) throw new Error('delta expected');
      state().changed?.fill(0);
      deltaBytes.push(next.records.reduce((n, r) => n + (r.value?.length ?? 0), 0));
      put(next.records);
      chain = next;
    }
    put(checkpointRecords('g', 0, 1, 9n, d.takeDirty(0), chain.manifest));
    const restored = changelog.get(0);
    expect(assembleBloom(restored?.meta?.bloom, restored?.bloom ?? new Map())?.words).toEqual(state().words);
    // Only changed blocks travel: each delta is well under the filters' size.
    for (const bytes of deltaBytes) expect(bytes).toBeLessThan(state().words.byteLength / 2);

    // A delta lost (or one of another chain) gives empty filters, never a mix.
    const lost = new Map(restored?.bloom);
    lost.delete('0|d1');
    expect(assembleBloom(restored?.meta?.bloom, lost)).toBeUndefined();
  });

  it('size each partition to its share of the Bloom memory', () => {
    const d = new Detector({ ...testOptions, bloomBits: 20 });
    d.setInputPartitions(4);
    for (let p = 0; p < 4; p++) d.ingest(p, { sensorId: 's1', events: [] });
    // 4 partitions of 2^18 bits per generation and filter: what one pair of 2^20 held (2 filters × 2 generations × 128 KiB each).
    expect(d.historyBytes).toBe(4 * 2 * 2 * 2 ** 18 / 8);
  });
});
