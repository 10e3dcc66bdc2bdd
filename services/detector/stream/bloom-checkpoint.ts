import type { OutRecord } from '../../common/kafka/transport.ts';
import type { BloomState } from '../sketch/bloom.ts';

/**
 * A partition's Bloom filters (new sources, DSC) in the changelog.
 *
 * They are MiBs (32 MiB / input partitions), too large for every 5-second
 * checkpoint, so they are written every `BLOOM_SNAPSHOT_INTERVAL_MS` of wall
 * time and when a generation rotates, as chunks of 1 MiB (the changelog
 * allows 64 MiB messages; one chunk per record keeps every send small):
 * key `<group>|<partition>|bloom|<slot>|<chunk>`, value = 8-byte snapshot id
 * (big-endian) + the chunk's bytes. Two slots, written alternately: the
 * partition record that follows a complete snapshot names it (the
 * manifest), and until then it still names the other slot, so a crash in the
 * middle of a snapshot leaves the previous one whole. Compaction keeps one
 * record per key, so the changelog holds at most two snapshots per partition.
 * Each chunk carries the snapshot id: a chunk overwritten by a later,
 * unfinished snapshot does not match the manifest, and the restore falls
 * back to empty filters (the behaviour before snapshots existed) rather than
 * to a mix of two snapshots.
 */
export interface BloomManifest {
  readonly slot: 0 | 1;
  /** Snapshot id: the input offset the filters covered when taken (unique per partition). */
  readonly id: string;
  readonly chunks: number;
  readonly bytes: number;
  readonly current: number;
  readonly start: number | null;
}

export const BLOOM_CHUNK_BYTES = 2 ** 20;
const HEADER = 8;

export const bloomKeyPrefix = (groupId: string, partition: number): string => `${groupId}|${partition}|bloom|`;

/** The chunk records of a snapshot (copied out of the live filter) and the manifest to put in the next partition record. */
export function bloomRecords(
  groupId: string,
  partition: number,
  target: number,
  slot: 0 | 1,
  id: bigint,
  state: BloomState,
  chunkBytes = BLOOM_CHUNK_BYTES,
): { records: OutRecord[]; manifest: BloomManifest } {
  const records: OutRecord[] = [];
  const chunks = Math.ceil(state.words.byteLength / chunkBytes);
  for (let c = 0; c < chunks; c++) {
    const part = state.words.subarray(c * chunkBytes, (c + 1) * chunkBytes);
    const value = Buffer.allocUnsafe(HEADER + part.byteLength);
    value.writeBigUInt64BE(id, 0);
    value.set(part, HEADER);
    records.push({ key: `${bloomKeyPrefix(groupId, partition)}${slot}|${c}`, value, partition: target });
  }
  return { records, manifest: { slot, id: id.toString(), chunks, bytes: state.words.byteLength, current: state.current, start: state.start } };
}

/** The snapshot the manifest names, from chunks keyed `<slot>|<chunk>`; undefined if any chunk is missing, of another snapshot or the wrong size. */
export function assembleBloom(manifest: BloomManifest | undefined, chunks: ReadonlyMap<string, Buffer>): BloomState | undefined {
  if (manifest === undefined) return undefined;
  const id = BigInt(manifest.id);
  const words = new Uint8Array(manifest.bytes);
  let at = 0;
  for (let c = 0; c < manifest.chunks; c++) {
    const value = chunks.get(`${manifest.slot}|${c}`);
    if (value === undefined || value.byteLength < HEADER || value.readBigUInt64BE(0) !== id) return undefined;
    const length = value.byteLength - HEADER;
    if (at + length > words.byteLength) return undefined;
    words.set(value.subarray(HEADER), at);
    at += length;
  }
  return at === words.byteLength ? { current: manifest.current, start: manifest.start, words } : undefined;
}
