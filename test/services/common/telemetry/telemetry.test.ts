import { SpanKind, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHealthServer } from '../../../../services/common/health-server.ts';
import { createLogger, traceFields } from '../../../../services/common/logger.ts';
import { ConsumerLag } from '../../../../services/common/telemetry/consumer-lag.ts';
import { childSpan, continueTrace, contextFromHeaders, inSpan, traceHeaders } from '../../../../services/common/telemetry/propagation.ts';
import { startTelemetry } from '../../../../services/common/telemetry/sdk.ts';
import type { Telemetry } from '../../../../services/common/telemetry/sdk.ts';

const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;

beforeAll(() => {
  telemetry = startTelemetry({ service: 'portent-unit', tracesEndpoint: undefined, sampleRatio: 1, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
});
afterAll(() => telemetry.shutdown());
beforeEach(() => {
  exporter.reset();
});

describe('trace propagation through record headers', () => {
  it('writes the active span as a W3C traceparent and continues it on the other side', () => {
    const headers = inSpan('producer', SpanKind.PRODUCER, contextFromHeaders({}), {}, () => traceHeaders());
    expect(headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    inSpan('consumer', SpanKind.CONSUMER, contextFromHeaders(headers), {}, () => undefined);
    const [producer, consumer] = exporter.getFinishedSpans();
    expect(consumer?.spanContext().traceId).toBe(producer?.spanContext().traceId);
    expect(consumer?.parentSpanContext?.spanId).toBe(producer?.spanContext().spanId);
    expect(headers['traceparent']).toBe(`00-${producer?.spanContext().traceId ?? ''}-${producer?.spanContext().spanId ?? ''}-01`);
  });

  it('starts no trace for a record without trace headers, nor a child span outside any span', async () => {
    expect(await continueTrace({}, 'consume', {}, () => Promise.resolve(trace.getActiveSpan()))).toBeUndefined();
    expect(await childSpan('post', SpanKind.CLIENT, {}, (span) => Promise.resolve(span))).toBeUndefined();
    expect(traceHeaders()).toEqual({});
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('marks a span failed when its work throws, and still ends it', () => {
    expect(() =>
      inSpan('boom', SpanKind.INTERNAL, contextFromHeaders({}), {}, () => {
        throw new Error('bad batch');
      }),
    ).toThrow('bad batch');
    const [span] = exporter.getFinishedSpans();
    expect(span?.status.code).toBe(2);
    expect(span?.events.map((e) => e.name)).toEqual(['exception']);
  });
});

describe('log lines', () => {
  it('carry the active trace and span ids, and nothing outside a span', () => {
    expect(traceFields()).toEqual({});
    const ids = inSpan('work', SpanKind.INTERNAL, contextFromHeaders({}), {}, (span) => ({ fields: traceFields(), ctx: span.spanContext() }));
    expect(ids.fields).toEqual({ trace_id: ids.ctx.traceId, span_id: ids.ctx.spanId, trace_flags: '01' });
    expect(createLogger('unit', 'silent')).toBeDefined();
  });
});

describe('Prometheus endpoint', () => {
  it('serves consumer lag per partition on the probe server at /metrics', async () => {
    const lag = new ConsumerLag('g1');
    lag.handled({ topic: 't.connections.v1', partition: 2, highWatermark: '110', records: [{ offset: '100' }, { offset: '102' }] as never });
    lag.handled({ topic: 't.connections.v1', partition: 0, highWatermark: '5', records: [{ offset: '4' }] as never });
    const server = await startHealthServer({ host: '127.0.0.1', port: 0, checks: {}, logger: createLogger('unit', 'silent'), metrics: telemetry.serveMetrics });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await res.text();
      expect(text).toContain('portent_consumer_lag{group="g1",topic="t.connections.v1",partition="2"} 7');
      expect(text).toContain('portent_consumer_lag{group="g1",topic="t.connections.v1",partition="0"} 0');
      expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
