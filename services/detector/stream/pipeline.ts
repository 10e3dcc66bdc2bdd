import { advisoryCodec, alertCodec, portStatsCodec } from '../../common/avro/codecs.ts';
import { deadLetter } from '../../common/dead-letter.ts';
import { CompactedTable } from '../../common/kafka/table.ts';
import { sendInParts } from '../../common/kafka/send-size.ts';
import type { TopicNames } from '../../common/kafka/topics.ts';
import type { InBatch, InRecord, KafkaTransport, OutRecord, RecordConsumer, RecordProducer } from '../../common/kafka/transport.ts';
import type { Logger } from '../../common/logger.ts';
import { BatchDecoder } from './batch-decoder.ts';
import { assembleBloom, bloomRecords } from './bloom-checkpoint.ts';
import type { BloomManifest } from './bloom-checkpoint.ts';
import { checkpointRecords, checkpointSendOptions, readCheckpoints } from './checkpoint.ts';
import { Detector } from '../detector.ts';
import type { DetectorOptions, DetectorOutput } from '../detector.ts';
import { DetectorError, DetectorErrorCodes } from '../errors.ts';
import { ingestSubKeyRecord, newHotPortCounters, partialRecords, startPartialMerger } from './hot-port-pipeline.ts';
import { PartialTimer } from './partial-timer.ts';
import type { HotPortCounters } from './hot-port-pipeline.ts';
import { observeDetector } from './telemetry.ts';
import { withRecordSpan } from './tracing.ts';
import { ConsumerLag } from '../../common/telemetry/consumer-lag.ts';
import { traceHeaders } from '../../common/telemetry/propagation.ts';

export interface DetectorCounters {
  records: number;
  events: number;
  lateEvents: number;
  deadLettered: number;
  alerts: number;
  /** Records re-delivered after a crash that the restored checkpoint already held. */
  skipped: number;
  /** Partitions whose state was loaded from the changelog. */
  restores: number;
  /** Checkpoints written (one per partition and interval). */
  checkpoints: number;
  /** Times a partition was read again from its checkpoint because the group's position was past it. */
  seeks: number;
}

export interface DetectorPipelineOptions {
  readonly transport: KafkaTransport;
  readonly producer: RecordProducer;
  readonly topics: TopicNames;
  readonly groupId: string;
  readonly detector: DetectorOptions;
  readonly logger: Logger;
  /** false: no checkpoints (a benchmark of the pure detector); default true. */
  readonly checkpoint?: boolean;
  /**
   * A partition's state is checkpointed at the end of the first batch that
   * comes this long after its previous checkpoint (0: after every batch);
   * default 5 s. See "Fault tolerance" in the README.
   */
  readonly checkpointIntervalMs?: number;
  /** Clock for the checkpoint cadence (tests); default performance.now. */
  readonly now?: () => number;
  readonly sessionTimeoutMs?: number;
}

export interface DetectorPipeline {
  readonly counters: Readonly<DetectorCounters>;
  /** Partials of hot-port sub-keys sent and merged (hot-port-pipeline.ts). */
  readonly hotPorts: Readonly<HotPortCounters>;
  /** Resolves when the advisories are loaded and the consumer has joined its group and is fetching. */
  readonly started: Promise<void>;
  close(): Promise<void>;
}

/**
 * connections topic -> Detector -> alerts, port-stats and dead-letter topics,
 * with the detector's state checkpointed to the detector-state changelog.
 *
 * Per fetched batch: outputs are produced (acks=all), then the checkpoint,
 * then the consumer commits the offsets (checkpoint.ts explains why that
 * order loses nothing and double-counts nothing). A partition's state is
 * loaded from the changelog the first time this instance sees the partition,
 * and again whenever a batch starts past where its state ends (someone else
 * owned the partition in between: a rebalance).
 */
export function startDetectorPipeline(opts: DetectorPipelineOptions): DetectorPipeline {
  const log = opts.logger;
  // Advisories (written by the alerter's API) give worm-risk its stage-4 context and alerts their workaround.
  const newTable = () => new CompactedTable(advisoryCodec.decode.bind(advisoryCodec));
  let advisories = newTable();
  const detector = new Detector(opts.detector, () => advisories.values());
  const decoder = new BatchDecoder();
  const counters: DetectorCounters = { records: 0, events: 0, lateEvents: 0, deadLettered: 0, alerts: 0, skipped: 0, restores: 0, checkpoints: 0, seeks: 0 };
  const consumer: RecordConsumer = opts.transport.consumer({
    groupId: opts.groupId,
    topics: [opts.topics.connections],
    fromBeginning: true,
    ...(opts.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: opts.sessionTimeoutMs }),
    // 8 MiB fetches (~200k events): a checkpoint per fetch costs the same whatever the fetch size.
    maxBytesPerPartition: 8 * 2 ** 20,
  });
  const checkpointing = opts.checkpoint ?? true;
  const hotPorts = newHotPortCounters();
  let merger: ReturnType<typeof startPartialMerger> | undefined;
  const telemetry = observeDetector(counters);
  const lag = new ConsumerLag(opts.groupId);
  /** Per owned partition: the input offset its state has consumed up to (null: fresh, nothing consumed yet). */
  const held = new Map<number, bigint | null>();
  /** Per owned partition: when its state was last checkpointed (absent: never by this instance, so the next batch checkpoints). */
  const checkpointedAt = new Map<number, number>();
  const interval = opts.checkpointIntervalMs ?? 5000;
  const now = opts.now ?? (() => performance.now());
  let changelogPartitions = 1;
  /** Per owned partition: its latest complete Bloom snapshot (named in each partition record), when it was written, the slot for the next one. */
  const blooms = new Map<number, { manifest: BloomManifest | undefined; at: number; slot: 0 | 1 }>();
  const bloomInterval = opts.detector.bloomSnapshotIntervalMs ?? 300_000;

  const restore = async (partition: number): Promise<void> => {
    const found = (await readCheckpoints(opts.transport, opts.topics.detectorState, opts.groupId, new Set([partition]))).get(partition);
    const manifest = found?.meta?.bloom;
    const bloom = detector.restore(partition, found?.meta?.partition, [...(found?.ports.values() ?? [])], assembleBloom(manifest, found?.bloom ?? new Map()));
    // Without a usable snapshot the filters start empty (as before snapshots existed) and the next checkpoint writes one.
    blooms.set(partition, { manifest: bloom ? manifest : undefined, at: now(), slot: manifest?.slot === 0 ? 1 : 0 });
    held.set(partition, found?.meta === undefined ? null : BigInt(found.meta.nextOffset));
    // A fresh partition is checkpointed after its first batch, before that batch's offsets are committed:
    // so committed offsets past the start of the log always come with a checkpoint (see handleBatch's seek).
    if (found?.meta === undefined) checkpointedAt.delete(partition);
    else checkpointedAt.set(partition, now());
    counters.restores += 1;
    log.info({ partition, nextOffset: found?.meta?.nextOffset, ports: found?.ports.size ?? 0, bloom: bloom ? manifest?.id : null }, 'partition state restored');
  };

  const processRecord = (record: InRecord, out: { alerts: OutRecord[]; stats: OutRecord[]; dead: OutRecord[] }): void => {
    counters.records += 1;
    try {
      if (record.value === null) throw new DetectorError(DetectorErrorCodes.EMPTY_RECORD, 'record has no value');
      // A hot port's sub-key (`tcp/445#k/n`) is counted into partial windows for the merging instance.
      const hot = ingestSubKeyRecord(detector, { ...record, value: record.value });
      let result: DetectorOutput;
      if (hot === undefined) {
        const batch = decoder.decode(record.value);
        result = detector.ingestBatch(record.partition, batch);
        counters.events += batch.count;
      } else {
        result = hot.output;
        counters.events += hot.events;
      }
      counters.lateEvents += result.late;
      for (const a of result.alerts) out.alerts.push({ key: a.alertId, value: alertCodec.encode(a), headers: traceHeaders() });
      for (const s of result.stats) telemetry.windowClosed(s.windowEnd);
      for (const s of result.stats) out.stats.push({ key: `${s.protocol.toLowerCase()}/${s.port}`, value: portStatsCodec.encode(s) });
      for (const a of result.alerts) log.info({ alertId: a.alertId, state: a.state, port: a.port, protocol: a.protocol, severity: a.severity, wormRisk: a.wormRisk.level }, a.reasons[0]);
    } catch (err) {
      counters.deadLettered += 1;
      log.warn({ err, topic: record.topic, partition: record.partition, offset: record.offset }, 'record sent to the dead-letter topic');
      out.dead.push(deadLetter(record, err, opts.groupId));
    }
  };

  // Partials that fall due after a partition's last batch (a quiet partition) are shipped on a timer.
  const partialTimer = new PartialTimer(async (p) => {
    const h = held.get(p);
    if (h === undefined || h === null) return undefined;
    try {
      await opts.producer.send(opts.topics.portPartials, partialRecords(detector, p, h - 1n, hotPorts));
    } catch (err) {
      log.warn({ err, partition: p }, 'timed partial shipment failed; the next batch or the window close ships it');
    }
    return detector.partialsDueAt(p);
  });

  const handle = async (batch: InBatch): Promise<void> => {
    const began = performance.now();
    partialTimer.batchStarted(batch.partition);
    try {
      await handleBatch(batch);
      telemetry.batchHandled((performance.now() - began) / 1000);
      lag.handled(batch);
      partialTimer.batchEnded(batch.partition, detector.partialsDueAt(batch.partition));
    } catch (err) {
      // The batch will be fetched again: forget the half-applied state, so that it is restored from the checkpoint.
      partialTimer.batchEnded(batch.partition, undefined);
      held.delete(batch.partition);
      checkpointedAt.delete(batch.partition);
      blooms.delete(batch.partition);
      detector.drop(batch.partition);
      throw err;
    }
  };

  const handleBatch = async (batch: InBatch): Promise<void> => {
    const first = batch.records[0];
    if (first === undefined) return;
    const p = batch.partition;
    const until = held.get(p);
    if (checkpointing && (until === undefined || (until !== null && BigInt(first.offset) > until))) await restore(p);
    const from = held.get(p) ?? null;
    if (checkpointing && from !== null && BigInt(first.offset) > from) {
      // The group's committed position is past the checkpoint (offsets are committed after every batch,
      // checkpoints only every interval): read the partition again from where its state ends.
      if (batch.seek === undefined) throw new DetectorError(DetectorErrorCodes.SEEK_UNSUPPORTED, 'the consumer cannot seek; the detector needs it to resume from its checkpoint');
      batch.seek(from.toString());
      counters.seeks += 1;
      log.info({ partition: p, from: from.toString(), fetched: first.offset }, 'reading again from the checkpoint');
      return;
    }
    const out = { alerts: [] as OutRecord[], stats: [] as OutRecord[], dead: [] as OutRecord[] };
    let last: bigint | undefined;
    for (const record of batch.records) {
      const offset = BigInt(record.offset);
      if (from !== null && offset < from) {
        counters.skipped += 1;
        continue;
      }
      withRecordSpan(record, () => {
        processRecord(record, out);
      });
      last = offset;
    }
    // In parts the broker takes: a window closing on every port (a full port sweep) has 65,536 port-stats (send-size.ts).
    await sendInParts(opts.producer, opts.topics.alerts, out.alerts);
    await sendInParts(opts.producer, opts.topics.portStats, out.stats);
    await sendInParts(opts.producer, opts.topics.deadLetter, out.dead);
    counters.alerts += out.alerts.length;
    if (last === undefined) return;
    // Before the checkpoint: a crash in between re-sends them from the same offsets, and the merger replaces rather than adds.
    await opts.producer.send(opts.topics.portPartials, partialRecords(detector, p, last, hotPorts));
    const previous = checkpointedAt.get(p);
    if (checkpointing && (previous === undefined || now() - previous >= interval)) {
      // Ports changed since the previous checkpoint (takeDirty accumulates over batches), then the partition record.
      const bloom = await snapshotBloom(p, last + 1n);
      const records = checkpointRecords(opts.groupId, p, changelogPartitions, last + 1n, detector.takeDirty(p), bloom);
      await opts.producer.send(opts.topics.detectorState, records, checkpointSendOptions(records));
      checkpointedAt.set(p, now());
      counters.checkpoints += 1;
    }
    held.set(p, last + 1n);
  };

  /**
   * Writes the partition's Bloom filters when due (bloom-checkpoint.ts):
   * `bloomSnapshotIntervalMs` after the previous one (or after the partition
   * was taken on without a usable one: a fresh partition's filters are nearly
   * empty, and a restore before its first snapshot starts them empty, which
   * is all that snapshot would hold), or after a generation rotated. Before the
   * partition record that names it, so that record only ever names a complete
   * snapshot. Returns the manifest to name.
   */
  const snapshotBloom = async (p: number, nextOffset: bigint): Promise<BloomManifest | undefined> => {
    const had = blooms.get(p);
    const state = detector.bloomState(p);
    if (state === undefined || had === undefined) return had?.manifest;
    const rotated = had.manifest !== undefined && had.manifest.start !== state.start;
    if (now() - had.at < bloomInterval && !rotated) return had.manifest;
    const slot = had.slot;
    const { records, manifest } = bloomRecords(opts.groupId, p, p % changelogPartitions, slot, nextOffset, state);
    // A few MiB per request (the changelog accepts 64 MiB messages; smaller requests keep the broker's memory flat).
    for (let i = 0; i < records.length; i += 4) await opts.producer.send(opts.topics.detectorState, records.slice(i, i + 4));
    blooms.set(p, { manifest, at: now(), slot: slot === 0 ? 1 : 0 });
    return manifest;
  };

  const onBadAdvisory = (r: InRecord, err: unknown): void => {
    log.warn({ err, topic: r.topic, offset: r.offset }, 'unreadable advisory skipped');
  };
  const started = (async () => {
    if (checkpointing) changelogPartitions = Math.max(1, (await retried(() => opts.transport.endOffsets(opts.topics.detectorState))).size);
    // Each input partition gets its share of the Bloom memory (detector.ts).
    detector.setInputPartitions((await retried(() => opts.transport.endOffsets(opts.topics.connections))).size);
    await retried(async () => {
      await advisories.close();
      advisories = newTable();
      await advisories.start(opts.transport, opts.topics.advisories, `${opts.groupId}-advisories`, onBadAdvisory);
    });
    await consumer.run(handle);
    merger = startPartialMerger({ ...opts, advisories: () => advisories.values(), counters: hotPorts, checkpoint: checkpointing });
    await merger.started;
  })();
  return {
    counters,
    hotPorts,
    started,
    close: async () => {
      partialTimer.close();
      await consumer.close();
      await merger?.close();
      await advisories.close();
    },
  };
}

/**
 * Start-up reads are retried: right after a topic is created, the admin API
 * can answer "not the leader" until metadata settles (kafkajs does not retry
 * ListOffsets on it).
 */
async function retried<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}
