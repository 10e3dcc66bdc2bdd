/**
 * The detector's link in a batch's trace: a record that arrives with a
 * `traceparent` (set by the sensor) is ingested inside a consumer span that
 * continues that trace, and an alert the record triggers carries the span's
 * context in its own headers, so the alerter's delivery joins the same
 * trace. Records without the header (tracing off at the sensor) pay nothing.
 */
import type { InRecord } from '../../common/kafka/transport.ts';
import { SpanKind, TRACEPARENT_HEADER, contextFromHeaders, inSpan } from '../../common/telemetry/propagation.ts';

export function withRecordSpan(record: InRecord, fn: () => void): void {
  if (record.headers[TRACEPARENT_HEADER] === undefined) {
    fn();
    return;
  }
  const attributes = { 'messaging.system': 'kafka', 'messaging.destination.name': record.topic, 'messaging.destination.partition.id': String(record.partition), 'messaging.kafka.offset': Number(record.offset) };
  inSpan('portent.detector ingest', SpanKind.CONSUMER, contextFromHeaders(record.headers), attributes, fn);
}
