import { advisoryCodec, alertCodec, portStatsCodec } from '../../common/avro/codecs.ts';
import type { Advisory } from '../../common/avro/generated-types.ts';
import { deadLetter } from '../../common/dead-letter.ts';
import { PortentError } from '../../common/errors.ts';
import { CompactedTable } from '../../common/kafka/table.ts';
import { sendInParts } from '../../common/kafka/send-size.ts';
import type { TopicNames } from '../../common/kafka/topics.ts';
import type { InBatch, InRecord, KafkaTransport, OutRecord, RecordConsumer, RecordProducer } from '../../common/kafka/transport.ts';
import type { Logger } from '../../common/logger.ts';
import { ConsumerLag } from '../../common/telemetry/consumer-lag.ts';
import { traceHeaders } from '../../common/telemetry/propagation.ts';
import type { AdvisorySource } from '../advisories.ts';
import type { DetectorStreamConfig } from '../config.ts';
import { Detector } from '../detector.ts';
import type { DetectorOutput } from '../detector.ts';
import { DetectorErrorCodes } from '../errors.ts';
import { BatchDecoder } from './batch-decoder.ts';
import { ingestSubKeyRecord, newHotPortCounters, partialRecords } from './hot-port-pipeline.ts';
import type { HotPortCounters } from './hot-port-pipeline.ts';
import { OwnedPartition } from './owned-partition.ts';
import type { PartitionContext } from './owned-partition.ts';
import { PartialTimer } from './partial-timer.ts';
import { retried } from './retried.ts';
import { observeDetector } from './telemetry.ts';
import { withRecordSpan } from './tracing.ts';
import type { Clock } from '../../common/clock.ts';

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
  /** Bytes of Bloom filter records written with checkpoints: full snapshots and deltas (bloom-checkpoint.ts). */
  bloomBytes: number;
  /** Full Bloom snapshots written (the rest of the Bloom bytes are deltas). */
  bloomSnapshots: number;
}

export interface DetectorPipelineOptions {
  readonly transport: KafkaTransport;
  readonly producer: RecordProducer;
  readonly topics: TopicNames;
  readonly logger: Logger;
  /** Group, detector options and cadences, from the config schema (config.ts). */
  readonly config: DetectorStreamConfig;
  /** false: no checkpoints (a benchmark of the pure detector). */
  readonly checkpoint?: boolean;
  /** The one clock (services/common/clock.ts): checkpoint cadence, hot-port partial shipments. */
  readonly now: Clock;
}

export interface DetectorPipeline {
  readonly counters: Readonly<DetectorCounters>;
  /** Partials of hot-port sub-keys sent; the merger (hot-port-pipeline.ts) adds what it merged. */
  readonly hotPorts: HotPortCounters;
  /** The advisories the pipeline reads, for the merger's worm-risk. */
  readonly advisories: AdvisorySource;
  /** Resolves when the advisories are loaded and the consumer has joined its group and is fetching. */
  readonly started: Promise<void>;
  close(): Promise<void>;
}

type Outputs = { alerts: OutRecord[]; stats: OutRecord[]; dead: OutRecord[] };

/**
 * connections topic -> Detector -> alerts, port-stats and dead-letter topics,
 * with each owned partition's state checkpointed to the detector-state
 * changelog by its OwnedPartition.
 *
 * Per fetched batch: outputs are produced (acks=all), then the checkpoint,
 * then the consumer commits the offsets (checkpoint.ts explains why that
 * order loses nothing and double-counts nothing). A partition's state is
 * loaded from the changelog the first time this instance sees the partition,
 * and again whenever a batch starts past where its state ends.
 */
export function startDetectorPipeline(opts: DetectorPipelineOptions): DetectorPipeline {
  const stream = new DetectorStream(opts);
  return { counters: stream.counters, hotPorts: stream.hotPorts, advisories: stream.advisories, started: stream.start(), close: () => stream.close() };
}

class DetectorStream {
  readonly counters: DetectorCounters = { records: 0, events: 0, lateEvents: 0, deadLettered: 0, alerts: 0, skipped: 0, restores: 0, checkpoints: 0, seeks: 0, bloomBytes: 0, bloomSnapshots: 0 };
  readonly hotPorts = newHotPortCounters();
  /** Advisories (written by the alerter's API) give worm-risk its stage-4 context and alerts their workaround. */
  readonly advisories: AdvisorySource = () => this.#advisories.values();
  readonly #opts: DetectorPipelineOptions;
  readonly #log: Logger;
  readonly #detector: Detector;
  readonly #decoder = new BatchDecoder();
  readonly #consumer: RecordConsumer;
  readonly #checkpointing: boolean;
  readonly #telemetry: ReturnType<typeof observeDetector>;
  readonly #lag: ConsumerLag;
  readonly #ctx: PartitionContext;
  /** One owner per input partition this instance holds state for. */
  readonly #owned = new Map<number, OwnedPartition>();
  /** Ships partials that fall due after a partition's last batch (a quiet partition). */
  readonly #partialTimer: PartialTimer;
  #advisories = newAdvisoryTable();

  constructor(opts: DetectorPipelineOptions) {
    const { config } = opts;
    this.#opts = opts;
    this.#log = opts.logger;
    this.#detector = new Detector(config.detector, this.advisories);
    this.#checkpointing = opts.checkpoint ?? true;
    this.#telemetry = observeDetector(this.counters, opts.now);
    this.#lag = new ConsumerLag(config.groupId);
    this.#consumer = opts.transport.consumer({
      groupId: config.groupId,
      topics: [opts.topics.connections],
      fromBeginning: true,
      sessionTimeoutMs: config.sessionTimeoutMs,
      // 8 MiB fetches (~200k events): a checkpoint per fetch costs the same whatever the fetch size.
      maxBytesPerPartition: 8 * 2 ** 20,
    });
    this.#ctx = {
      transport: opts.transport,
      producer: opts.producer,
      topics: opts.topics,
      groupId: config.groupId,
      detector: this.#detector,
      logger: opts.logger,
      checkpointIntervalMs: config.checkpointIntervalMs,
      bloomSnapshotIntervalMs: config.bloomSnapshotIntervalMs,
      now: opts.now,
      changelogPartitions: 1,
      counters: this.counters,
    };
    this.#partialTimer = new PartialTimer((p) => this.#shipDuePartials(p), opts.now);
  }

  /** Reads the topics' partition counts and the advisories, then joins the group; resolves once fetching. */
  async start(): Promise<void> {
    const { transport, topics, config } = this.#opts;
    if (this.#checkpointing) this.#ctx.changelogPartitions = Math.max(1, (await retried(() => transport.endOffsets(topics.detectorState))).size);
    // Each input partition gets its share of the Bloom memory (detector.ts).
    this.#detector.setInputPartitions((await retried(() => transport.endOffsets(topics.connections))).size);
    await retried(async () => {
      await this.#advisories.close();
      this.#advisories = newAdvisoryTable();
      await this.#advisories.start(transport, topics.advisories, `${config.groupId}-advisories`, (r, err) => {
        this.#log.warn({ err, topic: r.topic, offset: r.offset }, 'unreadable advisory skipped');
      });
    });
    await this.#consumer.run((batch) => this.#handle(batch));
  }

  async close(): Promise<void> {
    this.#partialTimer.close();
    await this.#consumer.close();
    await this.#advisories.close();
  }

  async #handle(batch: InBatch): Promise<void> {
    const began = performance.now();
    this.#partialTimer.batchStarted(batch.partition);
    try {
      await this.#handleBatch(batch);
      this.#telemetry.batchHandled((performance.now() - began) / 1000);
      this.#lag.handled(batch);
      this.#partialTimer.batchEnded(batch.partition, this.#detector.partialsDueAt(batch.partition));
    } catch (err) {
      // The batch will be fetched again: forget the half-applied state, so that it is restored from the checkpoint.
      this.#partialTimer.batchEnded(batch.partition, undefined);
      this.#owned.delete(batch.partition);
      this.#detector.drop(batch.partition);
      throw err;
    }
  }

  async #handleBatch(batch: InBatch): Promise<void> {
    const first = batch.records[0];
    if (first === undefined) return;
    const p = batch.partition;
    const part = await this.#ownerFor(p, BigInt(first.offset));
    if (this.#checkpointing && part.isBehind(BigInt(first.offset))) {
      this.#seekBack(batch, part, first.offset);
      return;
    }
    const from = part.next;
    const out: Outputs = { alerts: [], stats: [], dead: [] };
    let last: bigint | undefined;
    for (const record of batch.records) {
      const offset = BigInt(record.offset);
      if (from !== null && offset < from) {
        this.counters.skipped += 1;
        continue;
      }
      withRecordSpan(record, () => {
        this.#processRecord(record, out);
      });
      last = offset;
    }
    await this.#produce(out);
    if (last === undefined) return;
    // Before the checkpoint: a crash in between re-sends them from the same offsets, and the merger replaces rather than adds.
    await this.#opts.producer.send(this.#opts.topics.portPartials, partialRecords(this.#detector, p, last, this.hotPorts, this.#opts.now()));
    await part.applied(last, this.#checkpointing);
  }

  /** The partition's owner, restored when this instance has no state for it or its state ends before `first`. */
  async #ownerFor(p: number, first: bigint): Promise<OwnedPartition> {
    let part = this.#owned.get(p);
    if (this.#checkpointing && (part === undefined || part.isBehind(first))) part = await OwnedPartition.restore(this.#ctx, p);
    part ??= OwnedPartition.fresh(this.#ctx, p);
    this.#owned.set(p, part);
    return part;
  }

  /** The group's committed position is past the checkpoint: read the partition again from where its state ends. */
  #seekBack(batch: InBatch, part: OwnedPartition, fetched: string): void {
    const from = part.next;
    if (from === null) return;
    if (batch.seek === undefined) throw new PortentError(DetectorErrorCodes.SEEK_UNSUPPORTED, 'the consumer cannot seek; the detector needs it to resume from its checkpoint', { fields: { partition: part.partition } });
    batch.seek(from.toString());
    this.counters.seeks += 1;
    this.#log.info({ partition: part.partition, from: from.toString(), fetched }, 'reading again from the checkpoint');
  }

  #processRecord(record: InRecord, out: Outputs): void {
    this.counters.records += 1;
    try {
      if (record.value === null) throw new PortentError(DetectorErrorCodes.EMPTY_RECORD, 'record has no value');
      const result = this.#ingest(record.partition, { ...record, value: record.value });
      this.counters.lateEvents += result.late;
      for (const a of result.alerts) out.alerts.push({ key: a.alertId, value: alertCodec.encode(a), headers: traceHeaders() });
      for (const s of result.stats) this.#telemetry.windowClosed(s.windowEnd);
      for (const s of result.stats) out.stats.push({ key: `${s.protocol.toLowerCase()}/${s.port}`, value: portStatsCodec.encode(s) });
      for (const a of result.alerts) this.#log.info({ alertId: a.alertId, state: a.state, port: a.port, protocol: a.protocol, severity: a.severity, wormRisk: a.wormRisk.level }, a.reasons[0]);
    } catch (err) {
      this.counters.deadLettered += 1;
      this.#log.warn({ err, topic: record.topic, partition: record.partition, offset: record.offset }, 'record sent to the dead-letter topic');
      out.dead.push(deadLetter(record, err, this.#opts.config.groupId));
    }
  }

  /** One record into the detector: a hot port's sub-key (`tcp/445#k/n`) into partial windows, anything else decoded straight into columns. */
  #ingest(partition: number, record: InRecord & { value: Buffer }): DetectorOutput {
    const hot = ingestSubKeyRecord(this.#detector, record);
    if (hot !== undefined) {
      this.counters.events += hot.events;
      return hot.output;
    }
    const batch = this.#decoder.decode(record.value);
    this.counters.events += batch.count;
    return this.#detector.ingestBatch(partition, batch);
  }

  /** In parts the broker takes: a window closing on every port (a full port sweep) has 65,536 port-stats (send-size.ts). */
  async #produce(out: Outputs): Promise<void> {
    const { producer, topics } = this.#opts;
    await sendInParts(producer, topics.alerts, out.alerts);
    await sendInParts(producer, topics.portStats, out.stats);
    await sendInParts(producer, topics.deadLetter, out.dead);
    this.counters.alerts += out.alerts.length;
  }

  /** The partial timer's shipment: the partition's due partials; returns when the next fall due. */
  async #shipDuePartials(p: number): Promise<number | undefined> {
    const next = this.#owned.get(p)?.next;
    if (next === undefined || next === null) return undefined;
    try {
      await this.#opts.producer.send(this.#opts.topics.portPartials, partialRecords(this.#detector, p, next - 1n, this.hotPorts, this.#opts.now()));
    } catch (err) {
      this.#log.warn({ err, partition: p }, 'timed partial shipment failed; the next batch or the window close ships it');
    }
    return this.#detector.partialsDueAt(p);
  }
}

function newAdvisoryTable(): CompactedTable<Advisory> {
  return new CompactedTable(advisoryCodec.decode.bind(advisoryCodec));
}
