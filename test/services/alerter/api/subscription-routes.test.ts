import { describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../../../services/alerter/api/error-reply.ts';
import { AUTH, pinnedClock, testApp } from '../fixtures.ts';

const JSON_AUTH = { ...AUTH, 'content-type': 'application/json' };

describe('subscription routes', () => {
  it('create a subscription and show its secret once, with a Location', async () => {
    const { app, writes } = testApp({ now: pinnedClock });
    const res = await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: JSON_AUTH, payload: { url: 'https://example.test/hook', ports: [445, 22] } });
    expect(res.statusCode).toBe(201);
    const { id, secret, ...rest } = res.json<{ id: string; secret: string }>();
    expect(rest).toMatchObject({ url: 'https://example.test/hook', ports: [445, 22], format: 'CLOUDEVENTS', paused: false, createdAt: '2026-11-27T08:00:00.000Z' });
    expect(id).toMatch(/^sub_/);
    expect(secret).toMatch(/^whsec_/);
    expect(res.headers.location).toBe(`/v1/subscriptions/${id}`);
    expect(writes).toHaveLength(1);
  });

  it('default to every port when ports is left out', async () => {
    const { app } = testApp({ now: pinnedClock });
    const res = await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: JSON_AUTH, payload: { url: 'http://example.test/hook' } });
    expect(res.json()).toMatchObject({ ports: [] });
  });

  it('list and get subscriptions without their secrets', async () => {
    const { app } = testApp({ now: pinnedClock });
    const created = (await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: JSON_AUTH, payload: { url: 'https://example.test/hook' } })).json<{ id: string; secret: string }>();
    const list = await app.inject({ method: 'GET', url: '/v1/subscriptions', headers: AUTH });
    const one = await app.inject({ method: 'GET', url: `/v1/subscriptions/${created.id}`, headers: AUTH });
    expect(list.json()).toMatchObject({ items: [{ id: created.id, url: 'https://example.test/hook', ports: [], createdAt: '2026-11-27T08:00:00.000Z' }] });
    expect(one.json()).toMatchObject({ id: created.id, url: 'https://example.test/hook', ports: [], createdAt: '2026-11-27T08:00:00.000Z' });
    expect(Object.keys(one.json<object>())).not.toContain('secret');
    expect(list.body + one.body).not.toContain(created.secret);
    expect(list.body + one.body).not.toContain('whsec_');
  });

  it('delete a subscription, then answer 404 for it', async () => {
    const { app, writes } = testApp();
    const { id } = (await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: JSON_AUTH, payload: { url: 'https://example.test/hook' } })).json<{ id: string }>();
    const del = await app.inject({ method: 'DELETE', url: `/v1/subscriptions/${id}`, headers: AUTH });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    expect(writes.at(-1)).toEqual([id, null]);
    const again = await app.inject({ method: 'DELETE', url: `/v1/subscriptions/${id}`, headers: AUTH });
    expect(again.statusCode).toBe(404);
    expect(again.json()).toEqual({ error: { code: 'ALERTER_ERR_SUBSCRIPTION_NOT_FOUND', message: `subscription ${id} not found` } });
    expect((await app.inject({ method: 'GET', url: `/v1/subscriptions/${id}`, headers: AUTH })).statusCode).toBe(404);
  });

  it.each([
    [{ url: 'https://example.test/hook', colour: 'red' }, 'body/colour is not an allowed property', 400, 'ALERTER_ERR_INVALID_REQUEST'],
    [{ ports: [22] }, 'body/url is required', 400, 'ALERTER_ERR_INVALID_REQUEST'],
    [{ url: 'https://example.test/hook', ports: [22, 70000] }, 'body/ports/1 must be <= 65535', 400, 'ALERTER_ERR_INVALID_REQUEST'],
    [{ url: 'https://example.test/hook', ports: [22, 22] }, 'body/ports must NOT have duplicate items', 400, 'ALERTER_ERR_INVALID_REQUEST'],
    [{ url: 'https://example.test/hook', ports: ['22'] }, 'body/ports/0 must be integer', 400, 'ALERTER_ERR_INVALID_REQUEST'],
    [{ url: 'https://example.test/hook', ports: 22 }, 'body/ports must be array', 400, 'ALERTER_ERR_INVALID_REQUEST'],
    [{ url: 'ftp://example.test/hook' }, 'body/url must match pattern', 400, 'ALERTER_ERR_INVALID_REQUEST'],
    [{ url: 'https://user:pw@example.test/' }, 'url must not contain credentials', 422, 'ALERTER_ERR_SUBSCRIPTION_INVALID'],
    [{ url: 'HTTP://' }, 'url must be an absolute URL', 422, 'ALERTER_ERR_SUBSCRIPTION_INVALID'],
  ])('reject %j naming the field', async (payload, message, status, code) => {
    const { app, writes } = testApp();
    const res = await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: JSON_AUTH, payload });
    // 400 when the body breaks the schema, 422 when it fits the schema but breaks a rule the schema cannot state.
    expect(res.statusCode).toBe(status);
    const { error } = res.json<ErrorBody>();
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
    expect(writes).toEqual([]);
  });

  it('reject malformed JSON', async () => {
    const { app } = testApp();
    const res = await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: JSON_AUTH, payload: '{"url": ' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'ALERTER_ERR_INVALID_REQUEST' } });
  });

  it('reject a body that is not JSON', async () => {
    const { app } = testApp();
    const res = await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: { ...AUTH, 'content-type': 'text/plain' }, payload: 'https://example.test/hook' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ error: { code: 'ALERTER_ERR_UNSUPPORTED_MEDIA_TYPE' } });
  });

  it('answer 503 when the subscription cannot be written to Kafka', async () => {
    const { app, failWrites, store } = testApp();
    failWrites(true);
    const res = await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: JSON_AUTH, payload: { url: 'https://example.test/hook' } });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: { code: 'ALERTER_ERR_SUBSCRIPTION_WRITE_FAILED' } });
    expect(store.list()).toEqual([]);
  });
});
