/**
 * Where a batch's trace begins. Each record (one batch of one port's events)
 * is the root of its own trace, sampled at PORTENT_TRACE_SAMPLE_RATIO; its
 * `traceparent` travels with the record, through the spool if the broker is
 * away, to the detector and on to the alerter's webhook. The span lasts until
 * the batch is acknowledged by the broker or safely in the spool.
 */
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { TRACEPARENT_HEADER, traceHeaders } from '../common/telemetry/propagation.ts';

export interface BatchSpan {
  /** The header value for the record; undefined when tracing is off. */
  readonly traceparent: string | undefined;
  end(): void;
}

export function batchSpan(key: string, batchId: string, events: number): BatchSpan {
  const span = trace.getTracer('portent').startSpan(
    'portent.sensor publish',
    { kind: SpanKind.PRODUCER, root: true, attributes: { 'messaging.system': 'kafka', 'messaging.message.id': batchId, 'portent.port_key': key, 'portent.events': events } },
    ROOT_CONTEXT,
  );
  const headers = traceHeaders(trace.setSpan(ROOT_CONTEXT, span));
  return {
    traceparent: headers[TRACEPARENT_HEADER],
    end: () => {
      span.end();
    },
  };
}
