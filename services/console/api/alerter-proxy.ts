/**
 * /v1/alerter/*: the admin pages reach the alerter's API (subscriptions,
 * advisories, silences, delivery attempts) through the console, with the
 * caller's own bearer token, so the browser needs one origin only and the
 * alerter keeps deciding what each token's scope may do.
 */
import type { FastifyInstance } from 'fastify';
import { consoleError, ConsoleErrorCodes } from '../errors.ts';

/** Request headers passed on; nothing else of the browser's request reaches the alerter. */
const FORWARDED = ['authorization', 'content-type', 'accept'] as const;

export function alerterProxy(app: FastifyInstance, alerterUrl: string): void {
  app.all('/alerter/*', { config: { scope: 'read' } }, async (req, reply) => {
    const rest = (req.params as { '*': string })['*'];
    const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && req.body !== undefined && req.body !== null;
    const headers: Record<string, string> = {};
    for (const name of FORWARDED) {
      const value = req.headers[name];
      if (typeof value === 'string' && (hasBody || name !== 'content-type')) headers[name] = value;
    }
    let res: Response;
    try {
      res = await fetch(`${alerterUrl}/v1/${rest}${query}`, {
        method: req.method,
        headers,
        ...(hasBody ? { body: JSON.stringify(req.body) } : {}),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      throw consoleError(ConsoleErrorCodes.ALERTER_UNREACHABLE, 'the alerter API did not answer', { url: alerterUrl }, err);
    }
    const body = await res.text();
    const type = res.headers.get('content-type');
    if (type !== null) void reply.header('content-type', type);
    return reply.code(res.status).send(body);
  });
}
