/**
 * The console's HTTP server, ready for `inject()` or `listen()`: probes and
 * metrics, the web UI's files (public, they hold no data), and /v1 behind
 * the scoped bearer tokens: the store's JSON API, live events, and the
 * alerter's API passed through.
 */
import type { Clock } from '../common/clock.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fastify } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Logger } from '../common/logger.ts';
import { bearerScopeChecker, includes } from '../common/scoped-tokens.ts';
import type { Scope } from '../common/scoped-tokens.ts';
import { alerterProxy } from './api/alerter-proxy.ts';
import { dataRoutes } from './api/data-routes.ts';
import { eventRoutes } from './api/events.ts';
import { consoleError, ConsoleErrorCodes, errorReply } from './errors.ts';
import type { LiveFeed } from './live.ts';
import type { AlertStore } from './store/alerts.ts';
import type { PortStatsStore } from './store/port-stats.ts';
import type { WebAssets } from './web-bundle.ts';

export interface ConsoleAppOptions {
  readonly apiTokens: readonly string[];
  readonly portStats: PortStatsStore;
  readonly alerts: AlertStore;
  readonly live: LiveFeed;
  readonly web: WebAssets;
  readonly logger: Logger;
  readonly alerterUrl: string;
  readonly now: Clock;
  /** Named conditions that must all hold for /readyz and /v1 (the store caught up with Kafka). */
  readonly readiness: Readonly<Record<string, () => boolean>>;
  readonly metrics?: (req: IncomingMessage, res: ServerResponse) => void;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least scope a route needs; default read. */
    scope?: Scope;
  }
}

export function buildConsoleApp(opts: ConsoleAppOptions): FastifyInstance {
  const loggerInstance: FastifyBaseLogger = opts.logger;
  // forceCloseConnections: open event streams must not hold up a shutdown.
  const app = fastify({ loggerInstance, bodyLimit: 64 * 1024, forceCloseConnections: true });
  app.setErrorHandler((err, req, reply) => {
    const { status, body } = errorReply(err);
    if (status >= 500 && status !== 503) req.log.error({ err }, 'request failed');
    if (status === 401) void reply.header('www-authenticate', 'Bearer');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { code: ConsoleErrorCodes.ROUTE_NOT_FOUND, message: `no route ${req.method} ${req.url.split('?')[0] ?? ''}` } }),
  );
  const ready = (): Record<string, boolean> => Object.fromEntries(Object.entries(opts.readiness).map(([k, check]) => [k, check()]));
  app.get('/healthz', { logLevel: 'warn' }, () => ({ status: 'ok' }));
  app.get('/readyz', { logLevel: 'warn' }, (_req, reply) => {
    const checks = ready();
    const ok = Object.values(checks).every(Boolean);
    return reply.code(ok ? 200 : 503).send({ ready: ok, checks });
  });
  const metrics = opts.metrics;
  if (metrics !== undefined) {
    app.get('/metrics', { logLevel: 'warn' }, (req, reply) => {
      reply.hijack();
      metrics(req.raw, reply.raw);
    });
  }
  for (const path of ['/', '/app.js', '/app.css']) {
    app.get(path, { logLevel: 'warn' }, async (_req, reply) => {
      const asset = await opts.web.get(path);
      if (asset === undefined) throw consoleError(ConsoleErrorCodes.NOT_FOUND, `no ${path}`);
      return reply.header('content-type', asset.type).header('cache-control', 'no-cache').send(asset.body);
    });
  }

  const scopeOf = bearerScopeChecker(opts.apiTokens);
  void app.register((v1, _o, done) => {
    v1.addHook('onRequest', (req, _reply, next) => {
      const granted = scopeOf(req.headers.authorization);
      const needed = req.routeOptions.config.scope ?? 'read';
      if (granted === null) next(consoleError(ConsoleErrorCodes.UNAUTHORIZED, 'a bearer token is required'));
      else if (!includes(granted, needed)) next(consoleError(ConsoleErrorCodes.FORBIDDEN, `this needs the ${needed} scope`));
      else if (!Object.values(ready()).every(Boolean)) next(consoleError(ConsoleErrorCodes.NOT_READY, 'the store is still reading Kafka'));
      else next();
    });
    dataRoutes(v1, { portStats: opts.portStats, alerts: opts.alerts, now: opts.now, scopeOf });
    eventRoutes(v1, opts.live);
    alerterProxy(v1, opts.alerterUrl);
    done();
  }, { prefix: '/v1' });
  return app;
}
