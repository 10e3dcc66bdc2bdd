/**
 * Starts OpenTelemetry for one service process (@opentelemetry/sdk-node),
 * configured from Portent's own settings rather than OTEL_* variables, so
 * that the config schema stays the one list of what a service reads:
 *
 * - Metrics: a Prometheus reader that never opens its own port; the service
 *   serves `GET /metrics` on the port of its probes (health-server.ts, or the
 *   alerter's API), so one container port carries probes and scrapes.
 * - Traces: W3C trace context (the `traceparent` header) in Kafka record
 *   headers and webhook requests; spans go to an OTLP/HTTP collector when
 *   `PORTENT_OTLP_TRACES_ENDPOINT` is set and nowhere otherwise (log lines
 *   still carry the ids, which is enough to follow one batch across pods).
 * - Sampling: the sensor decides (ratio `PORTENT_TRACE_SAMPLE_RATIO`); the
 *   detector and alerter follow the decision in the incoming header.
 *
 * The SDK's own env handling still applies to OTEL_SDK_DISABLED and
 * OTEL_RESOURCE_ATTRIBUTES (e.g. k8s.pod.name from the downward API).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { Type } from '@sinclair/typebox';

/** Settings every service reads for telemetry (part of commonSettings). */
export const telemetrySettings = {
  PORTENT_OTLP_TRACES_ENDPOINT: Type.Optional(
    Type.String({ format: 'uri', pattern: '^https?://', description: 'an http(s) URL of an OTLP/HTTP traces endpoint, e.g. http://otel-collector:4318/v1/traces' }),
  ),
  PORTENT_TRACE_SAMPLE_RATIO: Type.Number({ minimum: 0, maximum: 1, default: 0.01, description: 'Share of sensor batches traced end to end (0..1)' }),
};

/** Longest wait for buffered spans to be exported when stopping. */
const SHUTDOWN_MS = 2000;

export interface TelemetryOptions {
  /** `service.name` of every span and the `job` Prometheus gives the scrape. */
  readonly service: string;
  readonly tracesEndpoint: string | undefined;
  /** Root sampling ratio; spans with a parent follow the parent's decision. */
  readonly sampleRatio: number;
  /** More span processors, e.g. an in-memory exporter in tests. */
  readonly spanProcessors?: readonly SpanProcessor[];
}

export interface Telemetry {
  /** Answers a Prometheus scrape (text exposition format 0.0.4). */
  readonly serveMetrics: (req: IncomingMessage, res: ServerResponse) => void;
  /** Flushes spans still buffered (for at most 2 s); call last when stopping. */
  shutdown(): Promise<void>;
}

export function startTelemetry(opts: TelemetryOptions): Telemetry {
  // preventServerStart: metrics are served by the service's own HTTP server.
  const prometheus = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
  const processors: SpanProcessor[] = [...(opts.spanProcessors ?? [])];
  if (opts.tracesEndpoint !== undefined) processors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: opts.tracesEndpoint }) }));
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': opts.service, 'service.namespace': 'portent' }),
    autoDetectResources: false,
    textMapPropagator: new W3CTraceContextPropagator(),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(opts.sampleRatio) }),
    spanProcessors: processors,
    metricReaders: [prometheus],
    // Logs stay pino JSON on stdout (with trace ids, logger.ts); no OTLP log export.
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  return {
    serveMetrics: (req, res) => {
      prometheus.getMetricsRequestHandler(req, res);
    },
    // Bounded: an unreachable collector must not eat the pod's termination grace period.
    shutdown: () => Promise.race([sdk.shutdown(), sleep(SHUTDOWN_MS, undefined, { ref: false })]),
  };
}

/** What a service's config holds about telemetry. */
export interface TelemetryConfig {
  readonly tracesEndpoint: string | undefined;
  readonly sampleRatio: number;
}

/** The telemetry part of a service's config, from its validated settings. */
export function telemetryConfig(raw: { PORTENT_OTLP_TRACES_ENDPOINT?: string | undefined; PORTENT_TRACE_SAMPLE_RATIO: number }): TelemetryConfig {
  return Object.freeze({ tracesEndpoint: raw.PORTENT_OTLP_TRACES_ENDPOINT, sampleRatio: raw.PORTENT_TRACE_SAMPLE_RATIO });
}
