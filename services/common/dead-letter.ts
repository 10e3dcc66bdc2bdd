import { isPortentError } from './errors.ts';
import { DeadLetterHeaders } from './kafka/topics.ts';
import type { InRecord, OutRecord } from './kafka/transport.ts';

/** The reason code recorded for failures that carry no code of their own. */
export const UNEXPECTED_REASON = 'PORTENT_ERR_UNEXPECTED';

/**
 * The dead-letter copy of a record that could not be processed: the original
 * key and bytes, untouched, and headers that say why and where it came from,
 * so an operator can inspect it, fix the cause and replay it.
 */
export function deadLetter(record: InRecord, err: unknown, consumer: string): OutRecord {
  const reason = isPortentError(err) ? err.code : UNEXPECTED_REASON;
  const message = err instanceof Error ? err.message : String(err);
  return {
    key: record.key,
    value: record.value,
    headers: {
      ...record.headers,
      [DeadLetterHeaders.reason]: reason,
      [DeadLetterHeaders.message]: message.slice(0, 1000),
      [DeadLetterHeaders.topic]: record.topic,
      [DeadLetterHeaders.partition]: String(record.partition),
      [DeadLetterHeaders.offset]: record.offset,
      [DeadLetterHeaders.consumer]: consumer,
    },
  };
}
