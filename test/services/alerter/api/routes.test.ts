import { describe, expect, it } from 'vitest';
import { alertCodec } from '../../../../services/common/avro/codecs.ts';
import { AUTH, pinnedClock, READ_TOKEN, sampleAlert, testApp, WRITE_TOKEN } from '../fixtures.ts';

const JSON_AUTH = { ...AUTH, 'content-type': 'application/json' };
const bearer = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

async function created(app: ReturnType<typeof testApp>['app'], payload: object = { url: 'https://example.test/hook' }) {
  return (await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: JSON_AUTH, payload })).json<{ id: string; secret: string; publicKey: string | null }>();
}

describe('API scopes', () => {
  it('lets a read token read but not write, and a write token not manage advisories', { timeout: 60_000 }, async () => {
    const { app } = testApp();
    expect((await app.inject({ method: 'GET', url: '/v1/subscriptions', headers: bearer(READ_TOKEN) })).statusCode).toBe(200);
    const write = await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: bearer(READ_TOKEN), payload: { url: 'https://example.test/' } });
    expect(write.statusCode).toBe(403);
    expect(write.json()).toEqual({ error: { code: 'ALERTER_ERR_FORBIDDEN', message: 'this token lacks the write scope' } });
    expect((await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: bearer(WRITE_TOKEN), payload: { url: 'https://example.test/' } })).statusCode).toBe(201);
    const advisory = { id: 'MS05-027', title: 'SMB', ports: [{ protocol: 'TCP', port: 445 }], severity: 'CRITICAL', published: '2005-06-14T00:00:00Z', workaround: 'Block 139 and 445' };
    expect((await app.inject({ method: 'POST', url: '/v1/advisories', headers: bearer(WRITE_TOKEN), payload: advisory })).statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/v1/advisories', headers: JSON_AUTH, payload: advisory })).statusCode).toBe(201);
  });
});

describe('subscription lifecycle routes', () => {
  it('update filters and format with PATCH, naming a bad field', { timeout: 60_000 }, async () => {
    const { app } = testApp();
    const { id } = await created(app);
    const patch = { portRanges: [{ from: 135, to: 139 }], kinds: ['WORM_RISK'], minRisk: 'HIGH', format: 'SLACK' };
    const res = await app.inject({ method: 'PATCH', url: `/v1/subscriptions/${id}`, headers: JSON_AUTH, payload: patch });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject(patch);
    const bad = await app.inject({ method: 'PATCH', url: `/v1/subscriptions/${id}`, headers: JSON_AUTH, payload: { minSeverity: 'LOUD' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toContain('body/minSeverity');
    const pd = await app.inject({ method: 'PATCH', url: `/v1/subscriptions/${id}`, headers: JSON_AUTH, payload: { format: 'PAGERDUTY' } });
    expect(pd.json()).toMatchObject({ error: { code: 'ALERTER_ERR_SUBSCRIPTION_INVALID', message: 'routingKey is required for the PAGERDUTY format' } });
  });

  it('pause and resume a subscription', async () => {
    const { app, store } = testApp();
    const { id } = await created(app);
    expect((await app.inject({ method: 'POST', url: `/v1/subscriptions/${id}/pause`, headers: AUTH })).json()).toMatchObject({ paused: true });
    expect(store.matching(sampleAlert())).toEqual([]);
    expect((await app.inject({ method: 'POST', url: `/v1/subscriptions/${id}/resume`, headers: AUTH })).json()).toMatchObject({ paused: false });
    expect(store.matching(sampleAlert()).map((s) => s.id)).toEqual([id]);
  });

  it('rotate the secret: the new one is shown once, the old one keeps signing for the grace period', async () => {
    const { app, store } = testApp({ now: pinnedClock });
    const { id, secret } = await created(app);
    const res = await app.inject({ method: 'POST', url: `/v1/subscriptions/${id}/rotate-secret`, headers: JSON_AUTH, payload: { graceSeconds: 7 * 86_400 } });
    const rotated = res.json<{ secret: string; rotationEndsAt: string }>();
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.rotationEndsAt).toBe('2026-12-04T08:00:00.000Z');
    expect(store.get(id).previousSecrets).toEqual([{ secret, expiresAt: Date.parse('2026-12-04T08:00:00Z') }]);
    const get = await app.inject({ method: 'GET', url: `/v1/subscriptions/${id}`, headers: AUTH });
    expect(get.body).not.toContain('whsec_');
  });

  it('give an Ed25519 subscription a public key, never its private key', { timeout: 60_000 }, async () => {
    const { app } = testApp();
    const sub = await created(app, { url: 'https://example.test/hook', signing: 'ed25519' });
    expect(sub.publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    const get = await app.inject({ method: 'GET', url: '/v1/subscriptions', headers: AUTH });
    expect(Object.keys(get.json<{ items: object[] }>().items[0] ?? {})).not.toContain('signingKey');
  });

  it('refuse a URL whose IP literal the SSRF guard refuses, at create and at update, in any notation', async () => {
    const { app } = testApp();
    const res = await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: JSON_AUTH, payload: { url: 'http://169.254.169.254/latest' } });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ error: { message: 'body/url points at an address the SSRF guard refuses' } });
    for (const url of ['http://[::127.0.0.1]/', 'http://[64:ff9b:1::a00:1]/', 'http://0x7f.1/', 'https://198.51.100.7/']) {
      const create = await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: JSON_AUTH, payload: { url } });
      expect([url, create.statusCode]).toEqual([url, 422]);
    }
    const { id } = await created(app);
    const patch = await app.inject({ method: 'PATCH', url: `/v1/subscriptions/${id}`, headers: JSON_AUTH, payload: { url: 'http://[::ffff:10.0.0.1]/' } });
    expect(patch.statusCode).toBe(422);
  });

  it('answer a test ping with what the receiver said', { timeout: 60_000 }, async () => {
    const { app } = testApp({ ping: (sub) => Promise.resolve({ delivered: true, status: 204, durationMs: 3, error: null, webhookId: `msg_test_${sub.id}` }) });
    const { id } = await created(app);
    const res = await app.inject({ method: 'POST', url: `/v1/subscriptions/${id}/test`, headers: AUTH });
    expect(res.json()).toEqual({ delivered: true, status: 204, durationMs: 3, error: null, webhookId: `msg_test_${id}` });
  });
});

describe('state routes', () => {
  it('create, list and delete silences; reject an end before the start', async () => {
    // The silence starts at the app's clock: pinned, so the end date stays in its future on any machine date.
    const { app } = testApp({ now: pinnedClock });
    const res = await app.inject({ method: 'POST', url: '/v1/silences', headers: JSON_AUTH, payload: { ports: [445], endsAt: '2030-01-01T00:00:00Z', reason: 'patch window' } });
    expect(res.statusCode).toBe(201);
    const { id } = res.json<{ id: string }>();
    expect((await app.inject({ method: 'GET', url: '/v1/silences', headers: AUTH })).json()).toMatchObject({ items: [{ id, ports: [445], reason: 'patch window' }] });
    expect((await app.inject({ method: 'DELETE', url: `/v1/silences/${id}`, headers: AUTH })).statusCode).toBe(204);
    const bad = await app.inject({ method: 'POST', url: '/v1/silences', headers: JSON_AUTH, payload: { endsAt: '2000-01-01T00:00:00Z', reason: 'x' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toEqual({ error: { code: 'ALERTER_ERR_SILENCE_INVALID', message: 'body/endsAt must be after startsAt' } });
  });

  it('list recent alerts newest first, filtered', async () => {
    const { app, alerts } = testApp();
    alerts.push(sampleAlert({ alertId: 'a', port: 445, eventTime: 1 }), sampleAlert({ alertId: 'b', port: 22, eventTime: 2 }), sampleAlert({ alertId: 'c', port: 445, eventTime: 3, state: 'RESOLVED' }));
    const all = await app.inject({ method: 'GET', url: '/v1/alerts', headers: AUTH });
    expect(all.json<{ items: { alertId: string }[] }>().items.map((a) => a.alertId)).toEqual(['c', 'b', 'a']);
    const some = await app.inject({ method: 'GET', url: '/v1/alerts?port=445&state=FIRING', headers: AUTH });
    expect(some.json<{ items: { alertId: string }[] }>().items.map((a) => a.alertId)).toEqual(['a']);
    expect((await app.inject({ method: 'GET', url: '/v1/alerts?colour=red', headers: AUTH })).statusCode).toBe(400);
  });

  it('list delivery attempts, replay one and recover the failed ones since a time', async () => {
    const { app, attempts, replayed } = testApp();
    const { id } = await created(app);
    const alert = sampleAlert();
    const at = Date.parse('2026-11-27T08:00:00Z');
    attempts.record({ subscriptionId: id, webhookId: 'msg_a_0', attempt: 1, status: 500, durationMs: 12, error: 'status', detail: 'oops', at }, alert);
    attempts.record({ subscriptionId: id, webhookId: 'msg_b_0', attempt: 1, status: 204, durationMs: 5, error: null, detail: '', at: at + 1 }, alert);
    const list = await app.inject({ method: 'GET', url: `/v1/subscriptions/${id}/attempts`, headers: AUTH });
    expect(list.json()).toMatchObject({ items: [{ webhookId: 'msg_b_0', status: 204 }, { webhookId: 'msg_a_0', status: 500, error: 'status', durationMs: 12, at: '2026-11-27T08:00:00.000Z' }] });
    expect(list.body).not.toContain('alert');
    const replay = await app.inject({ method: 'POST', url: `/v1/subscriptions/${id}/attempts/msg_b_0/replay`, headers: AUTH });
    expect(replay.statusCode).toBe(202);
    const recover = await app.inject({ method: 'POST', url: `/v1/subscriptions/${id}/recover`, headers: JSON_AUTH, payload: { since: '2026-11-27T07:00:00Z' } });
    expect(recover.json()).toEqual({ replayed: ['msg_a_0'] });
    expect(replayed.map((a) => [a.webhookId, alertCodec.decode(a.alert).alertId])).toEqual([['msg_b_0', alert.alertId], ['msg_a_0', alert.alertId]]);
  });

  it('serve an OpenAPI document listing the routes', async () => {
    const { app } = testApp();
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/subscriptions', '/v1/subscriptions/{id}/rotate-secret', '/v1/advisories', '/v1/silences', '/v1/alerts', '/v1/subscriptions/{id}/recover']));
  });
});
