import { advisoryCodec, alertCodec, connectionBatchCodec, portStatsCodec } from '../common/avro/codecs.ts';
import { deadLetter } from '../common/dead-letter.ts';
import { CompactedTable } from '../common/kafka/table.ts';
import type { TopicNames } from '../common/kafka/topics.ts';
import type { InBatch, InRecord, KafkaTransport, OutRecord, RecordConsumer, RecordProducer } from '../common/kafka/transport.ts';
import type { Logger } from '../common/logger.ts';
import { checkpointRecords, readCheckpoints } from './checkpoint.ts';
import { Detector } from './detector.ts';
import type { DetectorOptions } from './detector.ts';
import { DetectorError, DetectorErrorCodes } from './errors.ts';

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
  readonly sessionTimeoutMs?: number;
}

export interface DetectorPipeline {
  readonly counters: Readonly<DetectorCounters>;
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
  const counters: DetectorCounters = { records: 0, events: 0, lateEvents: 0, deadLettered: 0, alerts: 0, skipped: 0, restores: 0 };
  const consumer: RecordConsumer = opts.transport.consumer({
    groupId: opts.groupId,
    topics: [opts.topics.connections],
    fromBeginning: true,
    ...(opts.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: opts.sessionTimeoutMs }),
    // 8 MiB fetches (~200k events): a checkpoint per fetch costs the same whatever the fetch size.
    maxBytesPerPartition: 8 * 2 ** 20,
  });
  const checkpointing = opts.checkpoint ?? true;
  /** Per owned partition: the input offset its state has consumed up to (null: fresh, nothing consumed yet). */
  const held = new Map<number, bigint | null>();
  let changelogPartitions = 1;

  const restore = async (partition: number): Promise<void> => {
    const found = (await readCheckpoints(opts.transport, opts.topics.detectorState, opts.groupId, new Set([partition]))).get(partition);
    detector.restore(partition, found?.meta?.partition, [...(found?.ports.values() ?? [])]);
    held.set(partition, found?.meta === undefined ? null : BigInt(found.meta.nextOffset));
    counters.restores += 1;
    log.info({ partition, nextOffset: found?.meta?.nextOffset, ports: found?.ports.size ?? 0 }, 'partition state restored');
  };

  const processRecord = (record: InRecord, out: { alerts: OutRecord[]; stats: OutRecord[]; dead: OutRecord[] }): void => {
    counters.records += 1;
    try {
      if (record.value === null) throw new DetectorError(DetectorErrorCodes.EMPTY_RECORD, 'record has no value');
      const decoded = connectionBatchCodec.decode(record.value);
      const result = detector.ingest(record.partition, decoded);
      counters.events += decoded.events.length;
      counters.lateEvents += result.late;
      for (const a of result.alerts) out.alerts.push({ key: a.alertId, value: alertCodec.encode(a) });
      for (const s of result.stats) out.stats.push({ key: `${s.protocol.toLowerCase()}/${s.port}`, value: portStatsCodec.encode(s) });
      for (const a of result.alerts) log.info({ alertId: a.alertId, state: a.state, port: a.port, protocol: a.protocol, severity: a.severity, wormRisk: a.wormRisk.level }, a.reasons[0]);
    } catch (err) {
      counters.deadLettered += 1;
      log.warn({ err, topic: record.topic, partition: record.partition, offset: record.offset }, 'record sent to the dead-letter topic');
      out.dead.push(deadLetter(record, err, opts.groupId));
    }
  };

  const handle = async (batch: InBatch): Promise<void> => {
    try {
      await handleBatch(batch);
    } catch (err) {
      // The batch will be fetched again: forget the half-applied state, so that it is restored from the checkpoint.
      held.delete(batch.partition);
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
    const out = { alerts: [] as OutRecord[], stats: [] as OutRecord[], dead: [] as OutRecord[] };
    let last: bigint | undefined;
    for (const record of batch.records) {
      const offset = BigInt(record.offset);
      if (from !== null && offset < from) {
        counters.skipped += 1;
        continue;
      }
      processRecord(record, out);
      last = offset;
    }
    await opts.producer.send(opts.topics.alerts, out.alerts);
    await opts.producer.send(opts.topics.portStats, out.stats);
    await opts.producer.send(opts.topics.deadLetter, out.dead);
    counters.alerts += out.alerts.length;
    if (last === undefined) return;
    if (checkpointing) {
      await opts.producer.send(opts.topics.detectorState, checkpointRecords(opts.groupId, p, changelogPartitions, last + 1n, detector.takeDirty(p)));
    }
    held.set(p, last + 1n);
  };

  const onBadAdvisory = (r: InRecord, err: unknown): void => {
    log.warn({ err, topic: r.topic, offset: r.offset }, 'unreadable advisory skipped');
  };
  const started = (async () => {
    if (checkpointing) changelogPartitions = Math.max(1, (await retried(() => opts.transport.endOffsets(opts.topics.detectorState))).size);
    await retried(async () => {
      await advisories.close();
      advisories = newTable();
      await advisories.start(opts.transport, opts.topics.advisories, `${opts.groupId}-advisories`, onBadAdvisory);
    });
    await consumer.run(handle);
  })();
  return {
    counters,
    started,
    close: async () => {
      await consumer.close();
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
