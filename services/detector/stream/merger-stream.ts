import { alertCodec, portPartialCodec, portStatsCodec } from '../../common/avro/codecs.ts';
import type { PortPartial } from '../../common/avro/generated-types.ts';
import { deadLetter } from '../../common/dead-letter.ts';
import { PortentError } from '../../common/errors.ts';
import { sendInParts } from '../../common/kafka/send-size.ts';
import type { TopicNames } from '../../common/kafka/topics.ts';
import type { InBatch, KafkaTransport, OutRecord, RecordConsumer, RecordProducer } from '../../common/kafka/transport.ts';
import type { Logger } from '../../common/logger.ts';
import type { AdvisorySource } from '../advisories.ts';
import type { DetectorStreamConfig } from '../config.ts';
import { DetectorErrorCodes } from '../errors.ts';
import { PartialMerger } from '../hot-ports/merge.ts';
import type { MergedPortSnapshot } from '../hot-ports/merge.ts';
import { checkpointRecords, checkpointSendOptions, readCheckpoints } from './checkpoint.ts';
import type { HotPortCounters } from './hot-port-pipeline.ts';
import { retried } from './retried.ts';
import type { Clock } from '../../common/clock.ts';

/**
 * Hot ports, stage 2: the merger, a second consumer group (`<group>-merge`)
 * beside the connections pipeline; main.ts starts both. Partials topic ->
 * merged windows (hot-ports/merge.ts) -> alerts and port stats, then a
 * checkpoint of the merged state under the merger's own group name, then the
 * offset commit. A partial replaces what is held for its (sub-key, source
 * partition, window), so a replay on either side never counts twice.
 */
export interface MergerOptions {
  readonly transport: KafkaTransport;
  readonly producer: RecordProducer;
  readonly topics: TopicNames;
  /** The detector's settings; the merger's group is `<groupId>-merge`. */
  readonly config: DetectorStreamConfig;
  readonly advisories: AdvisorySource;
  readonly logger: Logger;
  /** Where merged partials are counted: the connections pipeline's counters (DetectorPipeline.hotPorts). */
  readonly counters: HotPortCounters;
  /** The one clock: how long a merge waits for a silent sub-key is wall-clock time. */
  readonly now: Clock;
  /** false: no checkpoints (a benchmark of the pure detector). */
  readonly checkpoint?: boolean;
}

export interface PartialMergerHandle {
  /** Resolves when the merger's consumer has joined its group and is fetching. */
  readonly started: Promise<void>;
  close(): Promise<void>;
}

export function startPartialMerger(opts: MergerOptions): PartialMergerHandle {
  const stream = new MergerStream(opts);
  return { started: stream.start(), close: () => stream.close() };
}

class MergerStream {
  readonly #opts: MergerOptions;
  readonly #groupId: string;
  readonly #merger: PartialMerger;
  readonly #checkpointing: boolean;
  readonly #consumer: RecordConsumer;
  /** Per partials partition held: the offset the merged state has consumed up to (null: nothing yet). Checkpointed after every batch. */
  readonly #positions = new Map<number, bigint | null>();
  #changelogPartitions = 1;

  constructor(opts: MergerOptions) {
    this.#opts = opts;
    this.#groupId = `${opts.config.groupId}-merge`;
    this.#merger = new PartialMerger(opts.config.detector, opts.advisories);
    this.#checkpointing = opts.checkpoint ?? true;
    this.#consumer = opts.transport.consumer({ groupId: this.#groupId, topics: [opts.topics.portPartials], fromBeginning: true, sessionTimeoutMs: opts.config.sessionTimeoutMs });
  }

  async start(): Promise<void> {
    const { transport, topics } = this.#opts;
    if (this.#checkpointing) this.#changelogPartitions = Math.max(1, (await retried(() => transport.endOffsets(topics.detectorState))).size);
    await this.#consumer.run(async (batch) => {
      try {
        await this.#handleBatch(batch);
      } catch (err) {
        // Fetched again: rebuild the partition from its checkpoint rather than apply the batch twice.
        this.#positions.delete(batch.partition);
        this.#merger.drop(batch.partition);
        throw err;
      }
    });
  }

  close(): Promise<void> {
    return this.#consumer.close();
  }

  async #restore(partition: number): Promise<void> {
    const found = (await readCheckpoints(this.#opts.transport, this.#opts.topics.detectorState, this.#groupId, new Set([partition]))).get(partition);
    // The merger writes its own snapshots under its own group name: the values are MergedPortSnapshots.
    this.#merger.restore(partition, [...(found?.ports.values() ?? [])] as MergedPortSnapshot[]);
    this.#positions.set(partition, found?.meta === undefined ? null : BigInt(found.meta.nextOffset));
    this.#opts.logger.info({ partition, nextOffset: found?.meta?.nextOffset, ports: found?.ports.size ?? 0 }, 'merger partition state restored');
  }

  async #handleBatch(batch: InBatch): Promise<void> {
    const p = batch.partition;
    const first = batch.records[0];
    if (first === undefined) return;
    const until = this.#positions.get(p);
    if (this.#checkpointing && (until === undefined || (until !== null && BigInt(first.offset) > until))) await this.#restore(p);
    const from = this.#positions.get(p) ?? null;
    const partials: PortPartial[] = [];
    const dead: OutRecord[] = [];
    let last: bigint | undefined;
    for (const record of batch.records) {
      if (from !== null && BigInt(record.offset) < from) continue;
      last = BigInt(record.offset);
      try {
        if (record.value === null) throw new PortentError(DetectorErrorCodes.EMPTY_RECORD, 'record has no value');
        partials.push(portPartialCodec.decode(record.value));
      } catch (err) {
        this.#opts.logger.warn({ err, topic: record.topic, partition: p, offset: record.offset }, 'partial sent to the dead-letter topic');
        dead.push(deadLetter(record, err, this.#groupId));
      }
    }
    if (last === undefined) return;
    await this.#merge(p, partials, dead);
    if (this.#checkpointing) await this.#checkpoint(p, last + 1n);
    this.#positions.set(p, last + 1n);
  }

  async #merge(p: number, partials: readonly PortPartial[], dead: readonly OutRecord[]): Promise<void> {
    const { producer, topics, counters, logger } = this.#opts;
    const before = { ...this.#merger.counters };
    const out = this.#merger.apply(p, partials, this.#opts.now());
    counters.partialsMerged += partials.length;
    counters.stale += this.#merger.counters.stale - before.stale;
    counters.late += this.#merger.counters.late - before.late;
    await sendInParts(producer, topics.alerts, out.alerts.map((a) => ({ key: a.alertId, value: alertCodec.encode(a) })));
    await sendInParts(producer, topics.portStats, out.stats.map((s) => ({ key: `${s.protocol.toLowerCase()}/${s.port}`, value: portStatsCodec.encode(s) })));
    await sendInParts(producer, topics.deadLetter, dead);
    for (const a of out.alerts) logger.info({ alertId: a.alertId, state: a.state, port: a.port, protocol: a.protocol, severity: a.severity, wormRisk: a.wormRisk.level, merged: true }, a.reasons[0]);
  }

  async #checkpoint(p: number, next: bigint): Promise<void> {
    const meta = { maxEventTime: null, closedThrough: null, sensors: [] };
    const records = checkpointRecords(this.#groupId, p, this.#changelogPartitions, next, { partition: meta, ports: this.#merger.takeDirty(p) });
    await this.#opts.producer.send(this.#opts.topics.detectorState, records, checkpointSendOptions(records));
  }
}
