import { fastify } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Logger } from '../common/logger.ts';
import type { AlerterConfig } from './config.ts';
import { notReady, unauthorized, AlerterErrorCodes } from './errors.ts';
import type { SubscriptionStore } from './subscriptions.ts';
import { bearerTokenChecker } from './api/auth.ts';
import { errorReply, formatSchemaErrors } from './api/error-reply.ts';
import { healthRoutes } from './api/health-routes.ts';
import type { ReadinessChecks } from './api/health-routes.ts';
import { subscriptionRoutes } from './api/subscription-routes.ts';

/** Requests are small JSON documents; anything bigger is a mistake or an attack. */
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface AppOptions {
  readonly config: Pick<AlerterConfig, 'apiTokens'>;
  readonly subscriptions: SubscriptionStore;
  readonly logger: Logger;
  /** What /readyz checks; the subscription store's readiness always also gates /v1. */
  readonly readiness?: ReadinessChecks;
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
    ajv: {
      // Fastify's defaults drop unknown properties silently and coerce types
      // ("80" -> 80, 80 -> [80]); an API that stores what it is sent should
      // reject both, naming the field.
      customOptions: { removeAdditional: false, coerceTypes: false },
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
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { code: AlerterErrorCodes.ROUTE_NOT_FOUND, message: `no route ${req.method} ${req.url.split('?')[0] ?? ''}` } }),
  );

  healthRoutes(app, opts.readiness ?? { subscriptions: () => opts.subscriptions.ready });

  const allowed = bearerTokenChecker(opts.config.apiTokens);
  void app.register(
    (v1, _options, done) => {
      // onRequest runs before the body is read: an unauthenticated caller cannot make us parse anything.
      v1.addHook('onRequest', (req, _reply, next) => {
        if (!allowed(req.headers.authorization)) next(unauthorized());
        else if (!opts.subscriptions.ready) next(notReady('subscription store'));
        else next();
      });
      subscriptionRoutes(v1, opts.subscriptions);
      done();
    },
    { prefix: '/v1' },
  );
  return app;
}
