import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger.ts';

/**
 * Kubernetes probes for the services that have no HTTP API of their own (the
 * detector and the sensor); the alerter serves the same two paths from its
 * fastify app (services/alerter/api/health-routes.ts).
 *
 * - `GET /healthz` (liveness) answers 200 while the event loop runs. It never
 *   looks at Kafka: a broker outage would otherwise make the kubelet restart
 *   every replica, which fixes nothing and loses the in-memory windows.
 * - `GET /readyz` (readiness) answers 200 when every named check holds, 503
 *   otherwise, with the result of each check in the body.
 * - `GET /metrics` is the Prometheus scrape (services/common/telemetry/sdk.ts),
 *   on the same port so a pod exposes one port for probes and scrapes.
 */
export const HEALTH_PATHS = Object.freeze({ liveness: '/healthz', readiness: '/readyz', metrics: '/metrics' });

/** Named conditions that must all hold before the service counts as ready. */
export type HealthChecks = Readonly<Record<string, () => boolean>>;

export interface HealthAnswer {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
}

/** The answer to one probe request: pure, so it is tested without a socket. */
export function healthAnswer(method: string, path: string, checks: HealthChecks): HealthAnswer {
  if (method !== 'GET' && method !== 'HEAD') return { status: 405, body: { error: 'method not allowed' } };
  if (path === HEALTH_PATHS.liveness) return { status: 200, body: { status: 'ok' } };
  if (path === HEALTH_PATHS.readiness) {
    const results = Object.fromEntries(Object.entries(checks).map(([name, check]) => [name, check()]));
    const ready = Object.values(results).every(Boolean);
    return { status: ready ? 200 : 503, body: { ready, checks: results } };
  }
  return { status: 404, body: { error: `no route ${path}` } };
}

export interface HealthServerOptions {
  /** 0.0.0.0 in a container, or the kubelet cannot reach the probe. */
  readonly host: string;
  /** 0 picks a free port (tests); the bound port is in `port` after start. */
  readonly port: number;
  readonly checks: HealthChecks;
  readonly logger: Logger;
  /** Serves `GET /metrics` (Telemetry.serveMetrics); without it the path is a 404. */
  readonly metrics?: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the probe server; resolves once it listens. */
export async function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === HEALTH_PATHS.metrics && req.method === 'GET' && opts.metrics !== undefined) {
      opts.metrics(req, res);
      return;
    }
    const answer = healthAnswer(req.method ?? 'GET', path, opts.checks);
    res.writeHead(answer.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify(answer.body));
  });
  // Probes open a fresh connection each time: idle keep-alive sockets would only delay close().
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  opts.logger.info({ host: opts.host, port }, 'health server listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
