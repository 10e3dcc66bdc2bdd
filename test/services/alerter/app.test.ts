import { describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from '../../../services/alerter/app.ts';
import { AUTH, capturingLogger, OTHER_TOKEN, testApp, TOKEN } from './fixtures.ts';

describe('buildApp', () => {
  it('answers /healthz whatever the state of Kafka', async () => {
    const { app } = testApp({ ready: false, readiness: { subscriptions: () => false, alertConsumer: () => false } });
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
  });

  it('answers /readyz with 503 until every check passes', async () => {
    let consumerRunning = false;
    const { app } = testApp({ readiness: { subscriptions: () => true, alertConsumer: () => consumerRunning } });
    const before = await app.inject({ method: 'GET', url: '/readyz' });
    expect(before.statusCode).toBe(503);
    expect(before.json()).toEqual({ ready: false, checks: { subscriptions: true, alertConsumer: false } });
    consumerRunning = true;
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer wrong-token-0123456789abcdef' }],
    ['a token prefix', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ['another scheme', { authorization: `Basic ${TOKEN}` }],
  ])('refuses /v1 with %s', async (_name, headers) => {
    const { app } = testApp();
    const res = await app.inject({ method: 'GET', url: '/v1/subscriptions', headers });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json()).toEqual({ error: { code: 'ALERTER_ERR_UNAUTHORIZED', message: 'missing or invalid bearer token' } });
  });

  it('accepts every configured token', async () => {
    const { app } = testApp();
    for (const token of [TOKEN, OTHER_TOKEN]) {
      const res = await app.inject({ method: 'GET', url: '/v1/subscriptions', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(200);
    }
  });

  it('checks the token before reading the body', async () => {
    const { app, writes } = testApp();
    const res = await app.inject({ method: 'POST', url: '/v1/subscriptions', payload: '{not json' , headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(401);
    expect(writes).toEqual([]);
  });

  it('answers /v1 with 503 until the subscription table has caught up', async () => {
    const { app, store } = testApp({ ready: false });
    const res = await app.inject({ method: 'GET', url: '/v1/subscriptions', headers: AUTH });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: { code: 'ALERTER_ERR_NOT_READY' } });
    store.markReady();
    expect((await app.inject({ method: 'GET', url: '/v1/subscriptions', headers: AUTH })).statusCode).toBe(200);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const { app } = testApp();
    const res = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'ALERTER_ERR_ROUTE_NOT_FOUND', message: 'no route GET /nope' } });
  });

  it('refuses bodies over the limit with 413', async () => {
    const { app } = testApp();
    const payload = JSON.stringify({ url: `https://example.test/${'a'.repeat(BODY_LIMIT_BYTES)}` });
    const res = await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: { ...AUTH, 'content-type': 'application/json' }, payload });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ error: { code: 'ALERTER_ERR_BODY_TOO_LARGE' } });
  });

  it('keeps bearer tokens and secrets out of the logs', async () => {
    const { logger, lines } = capturingLogger();
    const { app } = testApp({ logger });
    const res = await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: AUTH, payload: { url: 'https://example.test/hook' } });
    const { secret } = res.json<{ secret: string }>();
    await app.inject({ method: 'GET', url: '/v1/subscriptions', headers: { authorization: 'Bearer wrong-token-0123456789abcdef' } });
    const log = lines.join('');
    expect(log).toContain('incoming request');
    expect(log).not.toContain(TOKEN);
    expect(log).not.toContain('wrong-token');
    expect(log).not.toContain(secret);
  });
});
