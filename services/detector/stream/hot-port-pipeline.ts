import { alertCodec, connectionBatchCodec, portPartialCodec, portStatsCodec } from '../../common/avro/codecs.ts';
import type { PortPartial } from '../../common/avro/generated-types.ts';
import { deadLetter } from '../../common/dead-letter.ts';
import { sendInParts } from '../../common/kafka/send-size.ts';
import type { TopicNames } from '../../common/kafka/topics.ts';
import type { InBatch, InRecord, KafkaTransport, OutRecord, RecordProducer } from '../../common/kafka/transport.ts';
import type { Logger } from '../../common/logger.ts';
import type { AdvisorySource } from '../advisories.ts';
import { checkpointRecords, checkpointSendOptions, readCheckpoints } from './checkpoint.ts';
import type { Detector, DetectorOptions, DetectorOutput } from '../detector.ts';
import { DetectorError, DetectorErrorCodes } from '../errors.ts';
import { parseSubKey } from '../hot-ports/hot-ports.ts';
import { PartialMerger } from '../hot-ports/merge.ts';
import type { MergedPortSnapshot } from '../hot-ports/merge.ts';

/**
 * Kafka edges of hot ports (see the README's "Scale and hot ports"):
 * - stage 1, inside the connections pipeline: a record keyed by a sub-key
 *   (`tcp/445#k/n`) is counted into the sub-key's partial windows, and after
 *   each batch the due partials go to the partials topic, keyed by the real
 *   port, before the checkpoint;
 * - stage 2, its own consumer (group `<group>-merge`): the owner of the real
 *   port's partials partition merges them and produces alerts and port stats,
 *   then checkpoints the merged state to the detector-state changelog under
 *   the same group name, then commits.
 */
export interface HotPortCounters {
  partialsSent: number;
  partialsMerged: number;
  /** Partial windows ignored because a copy from further on was already held (a resend). */
  stale: number;
  /** Partial windows of merged windows already closed. */
  late: number;
}

export function newHotPortCounters(): HotPortCounters {
  return { partialsSent: 0, partialsMerged: 0, stale: 0, late: 0 };
}

/** Stage 1: ingests a sub-key record and returns what it produced, or undefined for an ordinary record. */
export function ingestSubKeyRecord(detector: Detector, record: InRecord & { value: Buffer }): { output: DetectorOutput; events: number } | undefined {
  const sub = parseSubKey(record.key);
  if (sub === undefined) return undefined;
  const batch = connectionBatchCodec.decode(record.value);
  return { output: detector.ingestSubKey(record.partition, sub, batch), events: batch.events.length };
}

/** Stage 1: the partial records to send after a batch of `partition` that ended at offset `through`. */
export function partialRecords(detector: Detector, partition: number, through: bigint, counters: HotPortCounters): OutRecord[] {
  const partials = detector.takePartials(partition, through, Date.now());
  counters.partialsSent += partials.length;
  return partials.map((p) => ({ key: `${p.protocol.toLowerCase()}/${p.port}`, value: portPartialCodec.encode(p) }));
}

export interface MergerOptions {
  readonly transport: KafkaTransport;
  readonly producer: RecordProducer;
  readonly topics: TopicNames;
  /** The detector's group id; the merger's is `<groupId>-merge`. */
  readonly groupId: string;
  readonly detector: DetectorOptions;
  readonly advisories: AdvisorySource;
  readonly logger: Logger;
  readonly counters: HotPortCounters;
  readonly checkpoint?: boolean;
  readonly sessionTimeoutMs?: number;
}

/** Stage 2: partials topic -> merged windows -> alerts and port stats, checkpointed. */
export function startPartialMerger(opts: MergerOptions): { started: Promise<void>; close(): Promise<void> } {
  const groupId = `${opts.groupId}-merge`;
  const merger = new PartialMerger(opts.detector, opts.advisories);
  const checkpointing = opts.checkpoint ?? true;
  const held = new Map<number, bigint | null>();
  let changelogPartitions = 1;
  const consumer = opts.transport.consumer({
    groupId,
    topics: [opts.topics.portPartials],
    fromBeginning: true,
    ...(opts.sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: opts.sessionTimeoutMs }),
  });

  const restore = async (partition: number): Promise<void> => {
    const found = (await readCheckpoints(opts.transport, opts.topics.detectorState, groupId, new Set([partition]))).get(partition);
    // The merger writes its own snapshots under its own group name: the values are MergedPortSnapshots.
    merger.restore(partition, [...(found?.ports.values() ?? [])] as MergedPortSnapshot[]);
    held.set(partition, found?.meta === undefined ? null : BigInt(found.meta.nextOffset));
    opts.logger.info({ partition, nextOffset: found?.meta?.nextOffset, ports: found?.ports.size ?? 0 }, 'merger partition state restored');
  };

  const handleBatch = async (batch: InBatch): Promise<void> => {
    const p = batch.partition;
    const first = batch.records[0];
    if (first === undefined) return;
    const until = held.get(p);
    if (checkpointing && (until === undefined || (until !== null && BigInt(first.offset) > until))) await restore(p);
    const from = held.get(p) ?? null;
    const partials: PortPartial[] = [];
    const dead: OutRecord[] = [];
    let last: bigint | undefined;
    for (const record of batch.records) {
      const offset = BigInt(record.offset);
      if (from !== null && offset < from) continue;
      last = offset;
      try {
        if (record.value === null) throw new DetectorError(DetectorErrorCodes.EMPTY_RECORD, 'record has no value');
        partials.push(portPartialCodec.decode(record.value));
      } catch (err) {
        opts.logger.warn({ err, topic: record.topic, partition: p, offset: record.offset }, 'partial sent to the dead-letter topic');
        dead.push(deadLetter(record, err, groupId));
      }
    }
    if (last === undefined) return;
    const before = { ...merger.counters };
    const out = merger.apply(p, partials, Date.now());
    opts.counters.partialsMerged += partials.length;
    opts.counters.stale += merger.counters.stale - before.stale;
    opts.counters.late += merger.counters.late - before.late;
    await sendInParts(opts.producer, opts.topics.alerts, out.alerts.map((a) => ({ key: a.alertId, value: alertCodec.encode(a) })));
    await sendInParts(opts.producer, opts.topics.portStats, out.stats.map((s) => ({ key: `${s.protocol.toLowerCase()}/${s.port}`, value: portStatsCodec.encode(s) })));
    await sendInParts(opts.producer, opts.topics.deadLetter, dead);
    for (const a of out.alerts) opts.logger.info({ alertId: a.alertId, state: a.state, port: a.port, protocol: a.protocol, severity: a.severity, wormRisk: a.wormRisk.level, merged: true }, a.reasons[0]);
    if (checkpointing) {
      const meta = { maxEventTime: null, closedThrough: null, sensors: [] };
      const records = checkpointRecords(groupId, p, changelogPartitions, last + 1n, { partition: meta, ports: merger.takeDirty(p) });
      await opts.producer.send(opts.topics.detectorState, records, checkpointSendOptions(records));
    }
    held.set(p, last + 1n);
  };

  const started = (async () => {
    if (checkpointing) changelogPartitions = Math.max(1, (await opts.transport.endOffsets(opts.topics.detectorState)).size);
    await consumer.run(async (batch) => {
      try {
        await handleBatch(batch);
      } catch (err) {
        // Fetched again: rebuild the partition from its checkpoint rather than apply the batch twice.
        held.delete(batch.partition);
        merger.drop(batch.partition);
        throw err;
      }
    });
  })();
  return { started, close: () => consumer.close() };
}
