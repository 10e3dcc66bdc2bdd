import { describe, expect, it } from 'vitest';
import { AUTH, testApp } from '../fixtures.ts';

interface Operation {
  readonly responses: Record<string, { readonly content?: { 'application/json': { schema: { properties: Record<string, unknown> } } } }>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

describe('API contract', () => {
  it('answers a method a known path does not serve with 405, an Allow header and the error format', async () => {
    const { app } = testApp();
    for (const [method, url, allow] of [
      ['TRACE', '/v1/subscriptions', 'GET, HEAD, POST'],
      ['PUT', '/v1/subscriptions/sub_1', 'DELETE, GET, HEAD, PATCH'],
      ['QUERY', '/v1/alerts', 'GET, HEAD'],
      ['DELETE', '/healthz', 'GET, HEAD'],
    ] as const) {
      const res = await app.inject({ method, url, headers: AUTH });
      expect([method, url, res.statusCode, res.headers['allow']]).toEqual([method, url, 405, allow]);
      expect(res.json()).toMatchObject({ error: { code: 'ALERTER_ERR_METHOD_NOT_ALLOWED' } });
    }
    expect((await app.inject({ method: 'GET', url: '/v1/nothing', headers: AUTH })).json()).toEqual({ error: { code: 'ALERTER_ERR_ROUTE_NOT_FOUND', message: 'no route GET /v1/nothing' } });
  });

  it('answers an over-long path parameter and an undecodable URL in the error format, not fastify 414', async () => {
    const { app } = testApp();
    const long = await app.inject({ method: 'GET', url: `/v1/subscriptions/${'x'.repeat(300)}`, headers: AUTH });
    expect([long.statusCode, long.json()]).toEqual([400, { error: { code: 'ALERTER_ERR_INVALID_REQUEST', message: 'a path parameter is longer than 256 characters' } }]);
    const schemaLong = await app.inject({ method: 'GET', url: `/v1/subscriptions/${'x'.repeat(120)}`, headers: AUTH });
    expect([schemaLong.statusCode, schemaLong.json<{ error: { code: string } }>().error.code]).toEqual([400, 'ALERTER_ERR_INVALID_REQUEST']);
    const bad = await app.inject({ method: 'GET', url: '/v1/subscriptions/%E0%A4%A', headers: AUTH });
    expect([bad.statusCode, bad.json()]).toEqual([400, { error: { code: 'ALERTER_ERR_INVALID_REQUEST', message: 'the URL cannot be decoded' } }]);
  });

  it('documents every error a route can answer, in the one error format, and DELETE as 204', async () => {
    const { app } = testApp();
    const doc = (await app.inject({ url: '/openapi.json' })).json<Doc>();
    const codes = (path: string, method: string): string[] => Object.keys(doc.paths[path]?.[method]?.responses ?? {}).sort();
    expect(codes('/v1/subscriptions/{id}', 'delete')).toEqual(['204', '400', '401', '403', '404', '413', '415', '503']);
    expect(codes('/v1/subscriptions/{id}', 'get')).toEqual(['200', '400', '401', '403', '404', '503']);
    expect(codes('/v1/subscriptions', 'post')).toEqual(['201', '400', '401', '403', '413', '415', '422', '503']);
    expect(codes('/v1/subscriptions', 'get')).toEqual(['200', '401', '403', '503']);
    expect(codes('/v1/alerts', 'get')).toEqual(['200', '400', '401', '403', '503']);
    expect(codes('/readyz', 'get')).toEqual(['200', '503']);
    expect(doc.paths['/v1/subscriptions/{id}']?.['delete']?.responses['204']?.content).toBeUndefined();
    const error = doc.paths['/v1/silences']?.['post']?.responses['422']?.content?.['application/json'].schema;
    expect(Object.keys(error?.properties ?? {})).toEqual(['error']);
  });
});
