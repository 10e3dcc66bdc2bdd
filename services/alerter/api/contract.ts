import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { AlerterErrorCodes } from '../errors.ts';
import type { ErrorBody } from './error-reply.ts';

/*
 * What the OpenAPI document promises beyond success, kept true for every route
 * at once rather than route by route: the error responses each route can
 * give, 405 (with Allow) for a method a known path does not serve, and the
 * API's own error body for URLs fastify rejects before routing.
 */

/** Longest path parameter the router takes: the longest any route's schema admits (a webhook-id, 256). */
export const MAX_PARAM_LENGTH = 256;

/** The one error format, `{"error":{"code","message"}}`, as a response schema. */
export const ErrorView = Type.Object(
  { error: Type.Object({ code: Type.String({ pattern: '^ALERTER_ERR_[A-Z_]+$' }), message: Type.String() }) },
  { additionalProperties: false },
);

/** For routes whose body can fit the schema and still break a rule the schema cannot state (see error-reply.ts). */
export const Unprocessable = {
  422: { ...ErrorView, description: 'The body fits the schema but breaks a rule it cannot state (from <= to, a URL the SSRF guard refuses, ...).' },
};

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'The request is invalid: a parameter, the query or the body breaks the schema.',
  401: 'No bearer token, or an unknown one.',
  403: "The token's scope does not allow this.",
  404: 'No such resource.',
  413: 'The body is larger than 64 KiB.',
  415: 'The body is not application/json.',
  503: 'Not ready yet (catching up on its topics), or a write to Kafka failed: retry.',
};

/** Methods whose request may carry a body fastify parses: they can meet 400 (bad JSON), 413 and 415. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The error statuses one route can answer, from what it takes: authentication, path parameters, a query, a body. */
export function errorStatuses(route: Pick<RouteOptions, 'method' | 'url' | 'schema'>, authenticated: boolean): number[] {
  const methods = [route.method].flat();
  const hasParams = route.url.includes(':');
  const statuses = new Set<number>();
  if (hasParams || route.schema?.querystring !== undefined || route.schema?.body !== undefined) statuses.add(400);
  if (methods.some((m) => BODY_METHODS.has(m))) for (const s of [400, 413, 415]) statuses.add(s);
  if (authenticated) for (const s of [401, 403, 503]) statuses.add(s);
  if (hasParams) statuses.add(404);
  return [...statuses].sort((a, b) => a - b);
}

/** Adds the error responses to a route's schema (those it documents itself stay as they are). */
export function documentErrors(route: RouteOptions, authenticated: boolean): void {
  if (route.schema === undefined || route.schema.hide === true) return;
  const response = { ...(route.schema.response as Record<string, unknown> | undefined) };
  for (const status of errorStatuses(route, authenticated)) {
    response[status] ??= { ...ErrorView, description: ERROR_DESCRIPTIONS[status] };
  }
  route.schema = { ...route.schema, response };
}

interface KnownPath {
  readonly pattern: RegExp;
  readonly methods: Set<string>;
}

/**
 * Remembers every route's path and methods, so that a request for a known
 * path with a method it does not serve gets 405 and an Allow header (RFC 9110
 * §15.5.6) instead of 404. Fastify itself only knows "no route".
 */
export class MethodTable {
  readonly #paths = new Map<string, KnownPath>();

  add(route: Pick<RouteOptions, 'method' | 'url'>): void {
    const known = this.#paths.get(route.url) ?? { pattern: pathPattern(route.url), methods: new Set<string>() };
    for (const m of [route.method].flat()) known.methods.add(m);
    this.#paths.set(route.url, known);
  }

  /** The methods the request's path is served with, or undefined when no route has that path. */
  allowed(path: string): string[] | undefined {
    const methods = [...this.#paths.values()].filter((p) => p.pattern.test(path)).flatMap((p) => [...p.methods]);
    return methods.length === 0 ? undefined : [...new Set(methods)].sort();
  }
}

function pathPattern(url: string): RegExp {
  const parts = url.split('/').map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('/')}$`);
}

function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * An onRequest hook: a request no route serves, on a path some route serves
 * with other methods, gets 405 with Allow. It runs before the body is read,
 * so a QUERY or PUT without a content type is not first refused as a bad body.
 */
export function methodNotAllowed(table: MethodTable) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!req.is404) return;
    const path = req.url.split('?')[0] ?? '';
    const allowed = table.allowed(path);
    if (allowed === undefined) return;
    const message = `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`;
    await reply.code(405).header('allow', allowed.join(', ')).send(errorBody(AlerterErrorCodes.METHOD_NOT_ALLOWED, message));
  };
}

/** The not-found handler, in the API's error format. */
export function routeNotFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(404).send(errorBody(AlerterErrorCodes.ROUTE_NOT_FOUND, `no route ${req.method} ${req.url.split('?')[0] ?? ''}`));
}

/**
 * Errors fastify raises before routing (a URL it cannot decode, a path
 * parameter longer than MAX_PARAM_LENGTH), answered as 400 in the
 * API's format instead of fastify's own body and 414: both are bad request
 * data, and every route with parameters documents 400.
 */
export function frameworkErrors(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const message = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? `a path parameter is longer than ${MAX_PARAM_LENGTH} characters` : 'the URL cannot be decoded';
  void reply.code(400).send(errorBody(AlerterErrorCodes.INVALID_REQUEST, message));
}
