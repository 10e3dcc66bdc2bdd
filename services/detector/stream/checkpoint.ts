import { randomUUID } from 'node:crypto';
import type { KafkaTransport, OutRecord, SendOptions } from '../../common/kafka/transport.ts';
import type { BloomManifest } from './bloom-checkpoint.ts';
import type { PartitionSnapshot } from '../detector.ts';
import type { PortSnapshot } from '../port-state.ts';

/**
 * The detector's checkpoints, in a compacted changelog topic.
 *
 * Records, all written to changelog partition (input partition mod changelog
 * partitions), in ONE send per fetched batch, which the broker appends as one
 * record batch (all or nothing):
 * - key `<group>|<partition>`: the partition's watermark, sensors and
 *   `nextOffset`, the input offset the state has consumed up to;
 * - key `<group>|<partition>|<protocol>/<port>`: one port's windows, sketches,
 *   baseline and open surge, written only when the port changed;
 * - key `<group>|<partition>|bloom|<slot>|<chunk>`: the partition's Bloom
 *   filters, every few minutes (bloom-checkpoint.ts); the partition record
 *   names the latest complete snapshot.
 * Values are JSON (typed arrays as base64), version 1: an internal format,
 * read only by the detector, so it is not an Avro contract. Not gzip'd
 * record by record: sketches are random bytes that barely compress, and
 * gzip tripled the checkpoint's CPU cost (measured: 22 ms vs 7 ms for a hot
 * port's 4,096 tracked sources and two dense sketches). But a checkpoint
 * over COMPRESS_ABOVE bytes is sent gzip'd as a whole (checkpointSendOptions):
 * it is one batch, which must fit the changelog's max.message.bytes and the
 * broker's segment size, and the many small ports of a wide sweep compress
 * ~25 times (services/detector/README.md, "Checkpoint size").
 *
 * Order in the pipeline: outputs (alerts, stats) → checkpoint → offset commit.
 * A crash before the checkpoint repeats the batch from the previous
 * checkpoint and reproduces the same alerts (deterministic ids and figures);
 * a crash after it but before the commit re-delivers records the checkpoint
 * already holds, and they are skipped by offset. No window is lost or counted twice.
 */
export interface PartitionCheckpoint {
  readonly nextOffset: string;
  readonly partition: PartitionSnapshot;
  /** The partition's latest complete Bloom snapshot (bloom-checkpoint.ts); absent: none. */
  readonly bloom?: BloomManifest;
}

export interface RestoredPartition {
  meta: PartitionCheckpoint | undefined;
  readonly ports: Map<string, PortSnapshot>;
  /** Bloom chunk records by `<slot>|<chunk>` (raw values; bloom-checkpoint.ts checks them against the manifest). */
  readonly bloom: Map<string, Buffer>;
}

const VERSION = 1;
const encode = (value: unknown): Buffer => Buffer.from(JSON.stringify({ v: VERSION, value }));

/** The checkpoint is the detector's own output, so its shape is trusted once the version matches. */
function decode(buf: Buffer): unknown {
  const parsed = JSON.parse(buf.toString('utf8')) as { v: number; value: unknown };
  if (parsed.v !== VERSION) throw new Error(`unknown checkpoint version ${parsed.v}`);
  return parsed.value;
}

export function checkpointRecords(
  groupId: string,
  partition: number,
  changelogPartitions: number,
  nextOffset: bigint,
  dirty: { partition: PartitionSnapshot; ports: PortSnapshot[] },
  bloom?: BloomManifest,
): OutRecord[] {
  const target = partition % changelogPartitions;
  const ports = dirty.ports.map((p) => ({ key: `${groupId}|${partition}|${p.protocol}/${p.port}`, value: encode(p), partition: target }));
  const meta: PartitionCheckpoint = { nextOffset: nextOffset.toString(), partition: dirty.partition, ...(bloom === undefined ? {} : { bloom }) };
  // The partition record last: a reader that sees it has seen the ports it covers.
  return [...ports, { key: `${groupId}|${partition}`, value: encode(meta), partition: target }];
}

/**
 * A checkpoint larger than this (raw) is sent gzip'd. Below it, no
 * compression is paid for: a busy partition's checkpoints every 5 s are
 * 0.8–2 MB of a few hundred ports whose dense sketches barely compress, and
 * gzip'ing them cost the bench's pipeline 3–15 % (README, "Checkpoint
 * size"). 8 MiB stays under the changelog's 64 MiB limit and under the
 * 16 MiB segments of this repository's scratch broker.
 */
export const COMPRESS_ABOVE = 8 * 1024 * 1024;

/** How to send a checkpoint's records: gzip'd when they are large (see COMPRESS_ABOVE). */
export function checkpointSendOptions(records: readonly OutRecord[]): SendOptions {
  let bytes = 0;
  for (const r of records) bytes += (r.key?.length ?? 0) + (r.value?.length ?? 0);
  return bytes > COMPRESS_ABOVE ? { compression: 'gzip' } : {};
}

/** Reads the changelog to its current end and returns the latest checkpoint of each wanted partition. */
export async function readCheckpoints(transport: KafkaTransport, topic: string, groupId: string, wanted: ReadonlySet<number>): Promise<Map<number, RestoredPartition>> {
  const found = new Map<number, RestoredPartition>();
  const ends = await transport.endOffsets(topic);
  const pending = new Set([...ends].filter(([, end]) => end > 0n).map(([p]) => p));
  if (pending.size === 0) return found;
  const reader = transport.consumer({ groupId: `${groupId}-restore-${randomUUID()}`, topics: [topic], fromBeginning: true, commitOffsets: false });
  const { promise, resolve, reject } = Promise.withResolvers<undefined>();
  reader
    .run((batch) => {
      for (const r of batch.records) {
        if (BigInt(r.offset) >= (ends.get(r.partition) ?? 0n)) continue;
        if (r.key !== null && r.value !== null) applyCheckpointRecord(found, groupId, wanted, r.key, r.value);
        if (BigInt(r.offset) + 1n >= (ends.get(r.partition) ?? 0n)) pending.delete(r.partition);
      }
      if (pending.size === 0) resolve(undefined);
      return Promise.resolve();
    })
    .catch(reject);
  try {
    await promise;
  } finally {
    await reader.close();
  }
  return found;
}

/** Folds one changelog record into `found` (later records replace earlier ones, as compaction would). */
export function applyCheckpointRecord(found: Map<number, RestoredPartition>, groupId: string, wanted: ReadonlySet<number>, key: string, value: Buffer): void {
  const [group, part, port, slot, chunk] = key.split('|');
  const partition = Number(part);
  if (group !== groupId || !wanted.has(partition)) return;
  let entry = found.get(partition);
  if (entry === undefined) {
    entry = { meta: undefined, ports: new Map(), bloom: new Map() };
    found.set(partition, entry);
  }
  if (port === undefined) entry.meta = decode(value) as PartitionCheckpoint;
  // Bloom chunks are raw bytes, kept apart from the ports ("bloom" is never a `<protocol>/<port>`).
  else if (port === 'bloom') entry.bloom.set(`${slot ?? ''}|${chunk ?? ''}`, value);
  else entry.ports.set(port, decode(value) as PortSnapshot);
}
