/**
 * W3C trace context across Kafka: the producer of a record writes the
 * `traceparent` (and `tracestate`) of its span into the record's headers; the
 * consumer continues the trace from them. Headers are plain string maps in
 * the transport (services/common/kafka/transport.ts), so the API's default
 * getter and setter apply.
 */
import { context, propagation, trace, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Attributes, Context, Span } from '@opentelemetry/api';

export const TRACEPARENT_HEADER = 'traceparent';

const tracer = () => trace.getTracer('portent');

/** The trace headers of `ctx` (default: the active context); empty when nothing is traced. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier;
}

/** The context a record's headers continue (the active one when they carry none). */
export function contextFromHeaders(headers: Readonly<Record<string, string>>): Context {
  if (headers[TRACEPARENT_HEADER] === undefined) return context.active();
  return propagation.extract(context.active(), headers);
}

/**
 * Runs `fn` inside a new span that is a child of `parent`, ends the span when
 * `fn` returns or throws, and marks it failed on a throw. Synchronous on
 * purpose: the detector's per-record work must not pay for a promise.
 */
export function inSpan<T>(name: string, kind: SpanKind, parent: Context, attributes: Attributes, fn: (span: Span) => T): T {
  const span = tracer().startSpan(name, { kind, attributes }, parent);
  try {
    return context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    failed(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** As inSpan, for asynchronous work (a webhook delivery). */
export async function inSpanAsync<T>(name: string, kind: SpanKind, parent: Context, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  const span = tracer().startSpan(name, { kind, attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    failed(span, err);
    throw err;
  } finally {
    span.end();
  }
}

function failed(span: Span, err: unknown): void {
  span.recordException(err instanceof Error ? err : String(err));
  span.setStatus({ code: SpanStatusCode.ERROR });
}

export { SpanKind };

/**
 * Continues the trace a consumed record carries, in a consumer span around
 * `fn`; a record without trace headers runs `fn` as is (no new root trace).
 */
export function continueTrace<T>(headers: Readonly<Record<string, string>>, name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  if (headers[TRACEPARENT_HEADER] === undefined) return fn();
  return inSpanAsync(name, SpanKind.CONSUMER, contextFromHeaders(headers), attributes, fn);
}

/**
 * A child span of the active span around `fn`, when there is one; without an
 * active span (the work was not part of a traced batch) `fn` runs as is, so
 * no stray root traces appear.
 */
export function childSpan<T>(name: string, kind: SpanKind, attributes: Attributes, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
  const parent = context.active();
  if (trace.getSpan(parent) === undefined) return fn(undefined);
  return inSpanAsync(name, kind, parent, attributes, fn);
}

/** `fn` bound to the context active now, for work that a queue runs later. */
export function bindActive<A extends unknown[], T>(fn: (...args: A) => T): (...args: A) => T {
  return context.bind(context.active(), fn);
}
