import type { OutRecord } from '../../common/kafka/transport.ts';
import { BLOCK_PAIR_BYTES } from '../sketch/bloom.ts';
import type { BloomState } from '../sketch/bloom.ts';

/**
 * A partition's Bloom filters (new sources, DSC) in the changelog, exact at
 * every checkpoint: a restore gets the filters as they were at the offset the
 * checkpoint names, so a replay after a crash counts new and DSC sources as
 * the first run did and every re-sent alert is byte-identical.
 *
 * The filters are MiBs (32 MiB / input partitions), so most checkpoints carry
 * only a delta: the blocks changed since the previous checkpoint
 * (BloomState.changed). A full snapshot (the base) is written every
 * `BLOOM_SNAPSHOT_INTERVAL_MS`, when a generation rotates, after
 * MAX_DELTAS deltas, or when a delta would be over half the filters' size.
 * Records, all sent before the partition record that names them:
 * - base: key `<group>|<partition>|bloom|<slot>|<chunk>`, value = 8-byte
 *   base id (big-endian) + 1 MiB of the words;
 * - delta: key `<group>|<partition>|bloom|<slot>|d<n>`, value = 8-byte base
 *   id + repeated (4-byte block index, the block of both generations).
 * A partition whose filters started empty (a fresh partition, or one
 * restored without a usable snapshot) has a base of no chunks: all zeros.
 * Two slots, used alternately for bases: until a new base is complete the
 * partition record still names the other slot's base and its deltas, so a
 * crash in the middle leaves the named chain whole. Every record carries its
 * base id: one overwritten by a later, unfinished chain does not match and
 * the restore falls back to empty filters rather than to a mix.
 */
export interface BloomManifest {
  readonly slot: 0 | 1;
  /** Base id: the input offset the base covered when taken (unique per partition). */
  readonly id: string;
  readonly chunks: number;
  readonly bytes: number;
  readonly current: number;
  readonly start: number | null;
  /** Delta records on top of the base, applied in order (absent: none). */
  readonly deltas?: number;
}

export const BLOOM_CHUNK_BYTES = 2 ** 20;
/** Deltas on one base before the next base: bounds a restore's reading and the keys compaction keeps. */
export const MAX_DELTAS = 256;
const HEADER = 8;
const ENTRY = 4 + BLOCK_PAIR_BYTES;

export const bloomKeyPrefix = (groupId: string, partition: number): string => `${groupId}|${partition}|bloom|`;

/** Where the records go: the group, the input partition and the changelog partition. */
export interface BloomTarget {
  readonly groupId: string;
  readonly partition: number;
  readonly changelogPartition: number;
}

const record = (t: BloomTarget, suffix: string, value: Buffer): OutRecord => ({ key: `${bloomKeyPrefix(t.groupId, t.partition)}${suffix}`, value, partition: t.changelogPartition });

/** A full snapshot (copied out of the live filter; `empty`: a base of no chunks) and the manifest naming it. */
export function bloomRecords(t: BloomTarget, slot: 0 | 1, id: bigint, state: BloomState, chunkBytes = BLOOM_CHUNK_BYTES, empty = false): { records: OutRecord[]; manifest: BloomManifest } {
  const records: OutRecord[] = [];
  const chunks = empty ? 0 : Math.ceil(state.words.byteLength / chunkBytes);
  for (let c = 0; c < chunks; c++) {
    const part = state.words.subarray(c * chunkBytes, (c + 1) * chunkBytes);
    const value = Buffer.allocUnsafe(HEADER + part.byteLength);
    value.writeBigUInt64BE(id, 0);
    value.set(part, HEADER);
    records.push(record(t, `${slot}|${c}`, value));
  }
  return { records, manifest: { slot, id: id.toString(), chunks, bytes: state.words.byteLength, current: state.current, start: state.start } };
}

/**
 * The blocks changed since the previous checkpoint, on top of `base`; undefined
 * when a full snapshot is due instead (rotation, too many deltas, or a delta
 * over half the filters' size).
 */
export function bloomDelta(t: BloomTarget, base: BloomManifest, state: BloomState, chunkBytes = BLOOM_CHUNK_BYTES): { records: OutRecord[]; manifest: BloomManifest } | undefined {
  const changed = state.changed;
  const done = base.deltas ?? 0;
  if (changed === undefined || base.start !== state.start || base.current !== state.current || done >= MAX_DELTAS) return undefined;
  let count = 0;
  for (let b = 0; b < changed.length; b++) count += changed[b] ?? 0;
  if (count * BLOCK_PAIR_BYTES > state.words.byteLength / 2) return undefined;
  // Buffer.copy with offsets: no view object per block (a fetch of new sources changes ~100,000 blocks).
  const words = Buffer.from(state.words.buffer, state.words.byteOffset, state.words.byteLength);
  const perRecord = Math.max(1, Math.floor((chunkBytes - HEADER) / ENTRY));
  const records: OutRecord[] = [];
  let b = 0;
  for (let left = count; left > 0; left -= perRecord) {
    const value = Buffer.allocUnsafe(HEADER + Math.min(left, perRecord) * ENTRY);
    value.writeBigUInt64BE(BigInt(base.id), 0);
    for (let at = HEADER; at < value.byteLength; at += ENTRY, b++) {
      while (changed[b] === 0) b++;
      value.writeUInt32BE(b, at);
      words.copy(value, at + 4, b * BLOCK_PAIR_BYTES, (b + 1) * BLOCK_PAIR_BYTES);
    }
    records.push(record(t, `${base.slot}|d${done + records.length}`, value));
  }
  return { records, manifest: { ...base, deltas: done + records.length } };
}

/** The filters the manifest names, from records keyed `<slot>|<chunk>` and `<slot>|d<n>`; undefined if any is missing, of another base or the wrong size. */
export function assembleBloom(manifest: BloomManifest | undefined, chunks: ReadonlyMap<string, Buffer>): BloomState | undefined {
  if (manifest === undefined) return undefined;
  const id = BigInt(manifest.id);
  const ours = (v: Buffer | undefined): v is Buffer => v !== undefined && v.byteLength >= HEADER && v.readBigUInt64BE(0) === id;
  const words = new Uint8Array(manifest.bytes);
  let at = 0;
  for (let c = 0; c < manifest.chunks; c++) {
    const value = chunks.get(`${manifest.slot}|${c}`);
    if (!ours(value) || at + value.byteLength - HEADER > words.byteLength) return undefined;
    words.set(value.subarray(HEADER), at);
    at += value.byteLength - HEADER;
  }
  if (manifest.chunks > 0 && at !== words.byteLength) return undefined;
  for (let d = 0; d < (manifest.deltas ?? 0); d++) {
    const value = chunks.get(`${manifest.slot}|d${d}`);
    if (!ours(value) || (value.byteLength - HEADER) % ENTRY !== 0) return undefined;
    for (let e = HEADER; e < value.byteLength; e += ENTRY) {
      const to = value.readUInt32BE(e) * BLOCK_PAIR_BYTES;
      if (to + BLOCK_PAIR_BYTES > words.byteLength) return undefined;
      words.set(value.subarray(e + 4, e + ENTRY), to);
    }
  }
  return { current: manifest.current, start: manifest.start, words };
}
