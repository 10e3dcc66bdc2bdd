import swagger from '@fastify/swagger';
import { fastify } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Advisory, Alert, Silence } from '../common/avro/generated-types.ts';
import type { Logger } from '../common/logger.ts';
import type { AlerterConfig } from './config.ts';
import { forbidden, notReady, unauthorized, AlerterErrorCodes } from './errors.ts';
import type { SubscriptionStore } from './subscriptions.ts';
import type { TopicStore } from './topic-store.ts';
import { bearerScopeChecker, includes } from '../common/scoped-tokens.ts';
import type { Scope } from '../common/scoped-tokens.ts';
import { documentErrors, frameworkErrors, MAX_PARAM_LENGTH, methodNotAllowed, MethodTable, routeNotFound } from './api/contract.ts';
import { errorReply, formatSchemaErrors } from './api/error-reply.ts';
import { healthRoutes } from './api/health-routes.ts';
import type { MetricsHandler, ReadinessChecks } from './api/health-routes.ts';
import { advisoryRoutes, alertRoutes, silenceRoutes } from './api/state-routes.ts';
import { subscriptionRoutes } from './api/subscription-routes.ts';
import type { Pinger } from './api/subscription-routes.ts';
import { attemptRoutes } from './api/attempt-routes.ts';
import type { AttemptApi } from './api/attempt-routes.ts';
import type { Clock } from '../common/clock.ts';

/** Requests are small JSON documents; anything bigger is a mistake or an attack. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface AppOptions {
  readonly config: Pick<AlerterConfig, 'apiTokens'>;
  /** The one clock: secret grace periods and silences are decided against it. */
  readonly clock: Clock;
  readonly subscriptions: SubscriptionStore;
  readonly logger: Logger;
  /** What /readyz checks; the subscription store's readiness always also gates /v1. */
  readonly readiness?: ReadinessChecks;
  readonly advisories?: TopicStore<Advisory>;
  readonly silences?: TopicStore<Silence>;
  readonly alerts?: () => Iterable<Alert>;
  readonly attempts?: AttemptApi;
  readonly ping?: Pinger;
  readonly urlRefused?: (url: URL) => boolean;
  /** Serves GET /metrics (Prometheus); without it the path is a 404. */
  readonly metrics?: MetricsHandler;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least scope a route needs; default read for GET, write otherwise. */
    scope?: Scope;
  }
}

/** The HTTP API, ready for `inject()` or `listen()`; building it touches no network. */
export function buildApp(opts: AppOptions): FastifyInstance {
  // The default request serializer logs method, url, host and peer only: never
  // headers, so bearer tokens stay out of the logs (the logger also redacts
  // req.headers.authorization, should a serializer ever change).
  const loggerInstance: FastifyBaseLogger = opts.logger;
  const app = fastify({
    loggerInstance,
    bodyLimit: BODY_LIMIT_BYTES,
    schemaErrorFormatter: formatSchemaErrors,
    frameworkErrors,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    ajv: {
      // Fastify's defaults drop unknown properties silently and coerce types
      // ("80" -> 80, 80 -> [80]); an API that stores what it is sent should
      // reject both, naming the field. Query strings are text, so they alone
      // are coerced (fastify compiles querystring schemas with the same ajv,
      // hence 'array' is not used: "80" must not become [80] in a body).
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true },
    },
  });

  // JSON only: without this, fastify parses text/plain too and the caller gets a puzzling "body must be object".
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((err, req, reply) => {
    const { status, body } = errorReply(err);
    // 503s (not caught up yet, Kafka write failed) are expected during start-up and broker trouble.
    if (status === 503) req.log.warn({ err }, 'request failed');
    else if (status >= 500) req.log.error({ err }, 'request failed');
    if (body.error.code === AlerterErrorCodes.UNAUTHORIZED) reply.header('www-authenticate', 'Bearer');
    return reply.code(status).send(body);
  });
  // Every route, as it is declared: documented with the errors it can answer, and known to the 405 check.
  const methods = new MethodTable();
  app.addHook('onRoute', (route) => {
    methods.add(route);
    documentErrors(route, route.url.startsWith('/v1/'));
  });
  app.addHook('onRequest', methodNotAllowed(methods));
  app.setNotFoundHandler(routeNotFound);

  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Portent alerter API', version: '1.0.0', description: 'Webhook subscriptions, advisories, silences, alerts and delivery attempts.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  // Registered after swagger, so that the probes are in the document too.
  void app.register((root, _options, done) => {
    healthRoutes(root, opts.readiness ?? { subscriptions: () => opts.subscriptions.ready }, opts.metrics);
    root.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
    done();
  });

  const scopeOf = bearerScopeChecker(opts.config.apiTokens);
  void app.register(
    (v1, _options, done) => {
      // onRequest runs before the body is read: an unauthenticated caller cannot make us parse anything.
      v1.addHook('onRequest', (req, _reply, next) => {
        const granted = scopeOf(req.headers.authorization);
        const needed: Scope = req.routeOptions.config.scope ?? (req.method === 'GET' || req.method === 'HEAD' ? 'read' : 'write');
        if (granted === null) next(unauthorized());
        else if (!includes(granted, needed)) next(forbidden(needed));
        else if (!opts.subscriptions.ready) next(notReady('subscription store'));
        else next();
      });
      subscriptionRoutes(v1, { store: opts.subscriptions, clock: opts.clock, ...(opts.ping === undefined ? {} : { ping: opts.ping }), ...(opts.urlRefused === undefined ? {} : { urlRefused: opts.urlRefused }) });
      if (opts.advisories !== undefined) advisoryRoutes(v1, opts.advisories);
      if (opts.silences !== undefined) silenceRoutes(v1, opts.silences, opts.clock);
      if (opts.alerts !== undefined) alertRoutes(v1, opts.alerts);
      if (opts.attempts !== undefined) attemptRoutes(v1, opts.attempts);
      done();
    },
    { prefix: '/v1' },
  );
  return app;
}
