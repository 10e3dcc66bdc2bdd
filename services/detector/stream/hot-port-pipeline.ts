import { connectionBatchCodec, portPartialCodec } from '../../common/avro/codecs.ts';
import type { InRecord, OutRecord } from '../../common/kafka/transport.ts';
import type { Detector, DetectorOutput } from '../detector.ts';
import { parseSubKey } from '../hot-ports/hot-ports.ts';

/**
 * Hot ports, stage 1, inside the connections pipeline (see the README's
 * "Scale and hot ports"): a record keyed by a sub-key (`tcp/445#k/n`) is
 * counted into the sub-key's partial windows, and after each batch the due
 * partials go to the partials topic, keyed by the real port, before the
 * checkpoint. Stage 2, the merger, is merger-stream.ts.
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
export function partialRecords(detector: Detector, partition: number, through: bigint, counters: HotPortCounters, nowMs: number): OutRecord[] {
  const partials = detector.takePartials(partition, through, nowMs);
  counters.partialsSent += partials.length;
  return partials.map((p) => ({ key: `${p.protocol.toLowerCase()}/${p.port}`, value: portPartialCodec.encode(p) }));
}
