import { alertCodec, connectionBatchCodec, portStatsCodec } from '../common/avro/codecs.ts';
import { deadLetter } from '../common/dead-letter.ts';
import type { TopicNames } from '../common/kafka/topics.ts';
import type { InBatch, KafkaTransport, OutRecord, RecordConsumer, RecordProducer } from '../common/kafka/transport.ts';
import type { Logger } from '../common/logger.ts';
import { Detector } from './detector.ts';
import type { DetectorOptions } from './detector.ts';
import { DetectorError, DetectorErrorCodes } from './errors.ts';

export interface DetectorCounters {
  records: number;
  events: number;
  lateEvents: number;
  deadLettered: number;
  alerts: number;
}

export interface DetectorPipelineOptions {
  readonly transport: KafkaTransport;
  readonly producer: RecordProducer;
  readonly topics: TopicNames;
  readonly groupId: string;
  readonly detector: DetectorOptions;
  readonly logger: Logger;
}

export interface DetectorPipeline {
  readonly counters: Readonly<DetectorCounters>;
  /** Resolves when the consumer has joined its group and is fetching. */
  readonly started: Promise<void>;
  close(): Promise<void>;
}

/**
 * connections topic -> Detector -> alerts, port-stats and dead-letter topics.
 *
 * Outputs of a fetched batch are produced (acks=all) before the batch's
 * offsets are committed, so a crash can repeat outputs but never lose them;
 * alert ids are deterministic, so a repeat carries the same id.
 */
export function startDetectorPipeline(opts: DetectorPipelineOptions): DetectorPipeline {
  const detector = new Detector(opts.detector);
  const counters: DetectorCounters = { records: 0, events: 0, lateEvents: 0, deadLettered: 0, alerts: 0 };
  const consumer: RecordConsumer = opts.transport.consumer({ groupId: opts.groupId, topics: [opts.topics.connections], fromBeginning: true });
  const log = opts.logger;

  const handle = async (batch: InBatch): Promise<void> => {
    const alerts: OutRecord[] = [];
    const stats: OutRecord[] = [];
    const dead: OutRecord[] = [];
    for (const record of batch.records) {
      counters.records += 1;
      try {
        if (record.value === null) throw new DetectorError(DetectorErrorCodes.EMPTY_RECORD, 'record has no value');
        const decoded = connectionBatchCodec.decode(record.value);
        const out = detector.ingest(batch.partition, decoded);
        counters.events += decoded.events.length;
        counters.lateEvents += out.late;
        for (const a of out.alerts) alerts.push({ key: a.alertId, value: alertCodec.encode(a) });
        for (const s of out.stats) stats.push({ key: `${s.protocol.toLowerCase()}/${s.port}`, value: portStatsCodec.encode(s) });
        for (const a of out.alerts) log.info({ alertId: a.alertId, state: a.state, port: a.port, protocol: a.protocol, severity: a.severity }, a.reasons[0]);
      } catch (err) {
        counters.deadLettered += 1;
        log.warn({ err, topic: record.topic, partition: record.partition, offset: record.offset }, 'record sent to the dead-letter topic');
        dead.push(deadLetter(record, err, opts.groupId));
      }
    }
    await opts.producer.send(opts.topics.alerts, alerts);
    await opts.producer.send(opts.topics.portStats, stats);
    await opts.producer.send(opts.topics.deadLetter, dead);
    counters.alerts += alerts.length;
  };

  const started = consumer.run(handle);
  return {
    counters,
    started,
    close: () => consumer.close(),
  };
}
