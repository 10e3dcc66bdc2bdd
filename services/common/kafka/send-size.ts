/**
 * Sends cut to a size the broker takes. A broker refuses a record batch
 * larger than message.max.bytes (1 MiB + 12 by default, per broker and per
 * topic), and one send's records for one partition form one batch. Records
 * of one key (a hot port) all go to one partition, so a large send of
 * independent records is cut into consecutive parts of at most SEND_BYTES,
 * sent one after another (order kept). Only for records that need not be
 * appended atomically: the detector's checkpoints do, and are not cut.
 */
import type { OutRecord, RecordProducer } from './transport.ts';

/** Half of the default limit: room for each batch's framing and record headers. */
export const SEND_BYTES = 512 * 1024;

/** Consecutive runs of `records` whose `size` adds up to at most `maxBytes` (a single larger record alone). */
export function* sendSized<T>(records: readonly T[], size: (r: T) => number, maxBytes = SEND_BYTES): Generator<readonly T[]> {
  let from = 0;
  let bytes = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const n = r === undefined ? 0 : size(r);
    if (i > from && bytes + n > maxBytes) {
      yield records.slice(from, i);
      from = i;
      bytes = 0;
    }
    bytes += n;
  }
  if (from < records.length) yield records.slice(from);
}

/** An upper bound of the bytes a record takes in a batch: key, value, headers and their lengths. */
export function outRecordBytes(r: OutRecord): number {
  let n = 24 + (r.key?.length ?? 0) * 3 + (r.value?.length ?? 0);
  if (r.headers !== undefined) for (const [k, v] of Object.entries(r.headers)) n += 10 + (k.length + v.length) * 3;
  return n;
}

/** Sends `records` in parts of at most SEND_BYTES, in order; rejects at the first part that fails (earlier parts are sent). */
export async function sendInParts(producer: Pick<RecordProducer, 'send'>, topic: string, records: readonly OutRecord[]): Promise<void> {
  if (records.length === 0) return;
  for (const part of sendSized(records, outRecordBytes)) await producer.send(topic, part);
}
