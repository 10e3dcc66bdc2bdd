import type { IncomingMessage, ServerResponse } from 'node:http';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';

/** Named conditions that must all hold before the alerter takes traffic, e.g. { subscriptions: () => store.ready }. */
export type ReadinessChecks = Readonly<Record<string, () => boolean>>;

/** Telemetry.serveMetrics (services/common/telemetry/sdk.ts). */
export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, boolean>>;
}

export function readinessReport(checks: ReadinessChecks): ReadinessReport {
  const results = Object.fromEntries(Object.entries(checks).map(([name, check]) => [name, check()]));
  return { ready: Object.values(results).every(Boolean), checks: results };
}

/**
 * Kubernetes probes. Liveness asks only "is the event loop answering": tying
 * it to Kafka would make the kubelet restart every replica during a broker
 * outage, which fixes nothing. Readiness waits for the subscription table to
 * catch up and the alert consumer to run.
 */
export function healthRoutes(app: FastifyInstance, checks: ReadinessChecks, metrics?: MetricsHandler): void {
  // Probes take no token (`security: []` overrides the document's bearer default).
  const tags = ['probes'];
  app.get('/healthz', { logLevel: 'warn', schema: { tags, security: [], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, () => ({ status: 'ok' }));
  // The Prometheus scrape, next to the probes and outside /v1's bearer tokens (no secret is a metric label).
  if (metrics !== undefined) {
    app.get('/metrics', { logLevel: 'warn', schema: { hide: true } }, (req, reply) => {
      reply.hijack();
      metrics(req.raw, reply.raw);
    });
  }
  const Report = Type.Object({ ready: Type.Boolean(), checks: Type.Record(Type.String(), Type.Boolean()) });
  const readyz = { tags, security: [], response: { 200: { ...Report, description: 'Ready' }, 503: { ...Report, description: 'Not ready yet' } } };
  app.get('/readyz', { logLevel: 'warn', schema: readyz }, (_req, reply) => {
    const report = readinessReport(checks);
    return reply.code(report.ready ? 200 : 503).send(report);
  });
}
