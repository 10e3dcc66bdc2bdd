import type { TopicNames } from '../../common/kafka/topics.ts';
import type { KafkaTransport, RecordProducer } from '../../common/kafka/transport.ts';
import type { Logger } from '../../common/logger.ts';
import type { Detector } from '../detector.ts';
import { assembleBloom, bloomDelta, bloomRecords } from './bloom-checkpoint.ts';
import type { BloomManifest, BloomTarget } from './bloom-checkpoint.ts';
import { checkpointRecords, checkpointSendOptions, readCheckpoints } from './checkpoint.ts';

/**
 * One input partition this instance owns: where its state stands in the
 * input, when it was last checkpointed, and its Bloom snapshot chain. It
 * restores the partition from the changelog, says whether a batch must be
 * read again from the checkpoint (seek), and writes the checkpoint at its
 * cadence. The pipeline holds one per owned partition and forgets it when
 * the partition is dropped (a failed batch or a rebalance).
 */
export interface PartitionContext {
  readonly transport: KafkaTransport;
  readonly producer: RecordProducer;
  readonly topics: Pick<TopicNames, 'detectorState'>;
  readonly groupId: string;
  readonly detector: Detector;
  readonly logger: Logger;
  /** Checkpoint at the end of the first batch this long after the previous checkpoint (0: every batch). */
  readonly checkpointIntervalMs: number;
  /** Least time between two full Bloom snapshots; deltas go with every checkpoint in between. */
  readonly bloomSnapshotIntervalMs: number;
  readonly now: () => number;
  /** Partitions of the changelog topic (known once the pipeline has started). */
  changelogPartitions: number;
  readonly counters: { restores: number; checkpoints: number; bloomBytes: number; bloomSnapshots: number };
}

/** The partition's Bloom chain: the base and deltas the next partition record names, when the base was written, the slot of the next base. */
interface BloomChain {
  manifest: BloomManifest | undefined;
  at: number;
  nextSlot: 0 | 1;
}

export class OwnedPartition {
  readonly partition: number;
  readonly #ctx: PartitionContext;
  /** The input offset the state has consumed up to; null: fresh, nothing consumed yet. */
  #next: bigint | null;
  /** When the state was last checkpointed; undefined: never by this instance, so the next batch checkpoints. */
  #checkpointedAt: number | undefined;
  #bloom: BloomChain;

  private constructor(ctx: PartitionContext, partition: number, next: bigint | null, checkpointedAt: number | undefined, bloom: BloomChain) {
    this.#ctx = ctx;
    this.partition = partition;
    this.#next = next;
    this.#checkpointedAt = checkpointedAt;
    this.#bloom = bloom;
  }

  /** A partition taken on without a changelog (checkpoints off): fresh state. */
  static fresh(ctx: PartitionContext, partition: number): OwnedPartition {
    return new OwnedPartition(ctx, partition, null, undefined, { manifest: undefined, at: ctx.now(), nextSlot: 0 });
  }

  /** Loads the partition's latest checkpoint (ports, watermark, Bloom chain) into the detector. */
  static async restore(ctx: PartitionContext, partition: number): Promise<OwnedPartition> {
    const found = (await readCheckpoints(ctx.transport, ctx.topics.detectorState, ctx.groupId, new Set([partition]))).get(partition);
    const manifest = found?.meta?.bloom;
    const bloom = assembleBloom(manifest, found?.bloom ?? new Map());
    const loaded = ctx.detector.restore(partition, found?.meta?.partition, [...(found?.ports.values() ?? [])], bloom);
    ctx.counters.restores += 1;
    ctx.logger.info({ partition, nextOffset: found?.meta?.nextOffset, ports: found?.ports.size ?? 0, bloomDeltas: loaded ? (manifest?.deltas ?? 0) : null, bloom: loaded ? manifest?.id : null }, 'partition state restored');
    const next = found?.meta === undefined ? null : BigInt(found.meta.nextOffset);
    // A fresh partition is checkpointed after its first batch, before that batch's offsets are committed:
    // so committed offsets past the start of the log always come with a checkpoint (see mustSeek).
    const at = found?.meta === undefined ? undefined : ctx.now();
    // Without a usable snapshot the filters start empty, and the next checkpoint starts a chain from empty.
    return new OwnedPartition(ctx, partition, next, at, { manifest: loaded ? manifest : undefined, at: ctx.now(), nextSlot: manifest?.slot === 0 ? 1 : 0 });
  }

  /** The input offset the state has consumed up to; null: nothing yet. */
  get next(): bigint | null {
    return this.#next;
  }

  /**
   * Whether a batch starting at `first` is past where the state ends: the
   * group's committed position runs ahead of the checkpoint (offsets are
   * committed after every batch, checkpoints only every interval), or another
   * instance owned the partition in between.
   */
  isBehind(first: bigint): boolean {
    return this.#next !== null && first > this.#next;
  }

  /** Records the batch through `last` as applied, checkpointing first when the cadence says so. */
  async applied(last: bigint, checkpointing: boolean): Promise<void> {
    const at = this.#checkpointedAt;
    if (checkpointing && (at === undefined || this.#ctx.now() - at >= this.#ctx.checkpointIntervalMs)) await this.#checkpoint(last + 1n);
    this.#next = last + 1n;
  }

  /** Ports changed since the previous checkpoint (takeDirty accumulates over batches) and the Bloom chain, then the partition record. */
  async #checkpoint(next: bigint): Promise<void> {
    const c = this.#ctx;
    const bloom = await this.#writeBloom(next);
    const records = checkpointRecords(c.groupId, this.partition, c.changelogPartitions, next, c.detector.takeDirty(this.partition), bloom);
    await c.producer.send(c.topics.detectorState, records, checkpointSendOptions(records));
    this.#checkpointedAt = c.now();
    c.counters.checkpoints += 1;
  }

  /**
   * Writes the Bloom blocks changed since the previous checkpoint, or a full
   * snapshot when one is due (bloom-checkpoint.ts), before the partition
   * record that names them. Returns the manifest to name.
   */
  async #writeBloom(next: bigint): Promise<BloomManifest | undefined> {
    const c = this.#ctx;
    const state = c.detector.bloomState(this.partition);
    if (state === undefined) return this.#bloom.manifest;
    const target: BloomTarget = { groupId: c.groupId, partition: this.partition, changelogPartition: this.partition % c.changelogPartitions };
    const chain = this.#bloom;
    const fullDue = c.now() - chain.at >= c.bloomSnapshotIntervalMs;
    // Filters that started empty: a base of no chunks, and what changed since as its first delta.
    const base = chain.manifest ?? bloomRecords(target, chain.nextSlot, next, state, undefined, true).manifest;
    let written = fullDue ? undefined : bloomDelta(target, base, state);
    const rebased = written === undefined || chain.manifest === undefined;
    written ??= bloomRecords(target, chain.nextSlot, next, state);
    // The records hold copies: what changes from here on goes into the next delta.
    state.changed?.fill(0);
    // A few MiB per request (the changelog accepts 64 MiB messages; smaller requests keep the broker's memory flat).
    for (let i = 0; i < written.records.length; i += 4) await c.producer.send(c.topics.detectorState, written.records.slice(i, i + 4));
    for (const r of written.records) c.counters.bloomBytes += r.value?.length ?? 0;
    if (written.manifest.chunks > 0 && written.manifest.deltas === undefined) c.counters.bloomSnapshots += 1;
    const slot = written.manifest.slot;
    this.#bloom = rebased ? { manifest: written.manifest, at: c.now(), nextSlot: slot === 0 ? 1 : 0 } : { ...chain, manifest: written.manifest };
    return written.manifest;
  }
}
