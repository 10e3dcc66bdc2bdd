import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../services/common/logger.ts';
import { buildConsoleApp } from '../../../services/console/app.ts';
import { WebAssets } from '../../../services/console/web-bundle.ts';
import { sampleAlert } from '../../support/alerts.ts';
import { MINUTE, NOW, TOPICS, alertRecord, stats, statsRecord, testStore } from './fixtures.ts';
import type { ConsoleTestStore } from './fixtures.ts';

const TOKEN = 'read:console-reader-0123456789';
const AUTH = { authorization: 'Bearer console-reader-0123456789' };
const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

function app(store: ConsoleTestStore, ready = true): FastifyInstance {
  const built = buildConsoleApp({
    apiTokens: [TOKEN], portStats: store.portStats, alerts: store.alerts, live: store.live, web: new WebAssets(),
    logger: createLogger('test', 'silent'), alerterUrl: 'http://127.0.0.1:9', now: () => NOW, readiness: { store: () => ready },
  });
  apps.push(built);
  return built;
}

describe('console API', () => {
  it('refuses every /v1 read without a valid token', async () => {
    const a = app(testStore());
    for (const url of ['/v1/overview', '/v1/alerts', '/v1/ports/tcp/445', '/v1/events']) {
      const res = await a.inject({ url, headers: { authorization: 'Bearer wrong-token-0123456789' } });
      expect(res.statusCode, url).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'CONSOLE_ERR_UNAUTHORIZED' } });
    }
  });

  it('answers 503 until the store has caught up with Kafka', async () => {
    const a = app(testStore(), false);
    expect((await a.inject({ url: '/v1/overview', headers: AUTH })).statusCode).toBe(503);
    expect((await a.inject({ url: '/readyz' })).json()).toEqual({ ready: false, checks: { store: false } });
    expect((await a.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('ranks the overview by worm-risk, then surge ratio, with sparklines and active alerts', async () => {
    const s = testStore();
    for (let m = 3; m >= 1; m--) s.materialiser.apply(TOPICS.portStats, 0, [statsRecord(stats({ windowStart: NOW - m * MINUTE, distinctSources: 10 * m }), 3 - m)]);
    s.materialiser.apply(TOPICS.portStats, 1, [statsRecord(stats({ port: 23, distinctSources: 400, baselineSources: 10 }), 0, 1)]);
    s.materialiser.apply(TOPICS.alerts, 0, [alertRecord(sampleAlert({ kind: 'WORM_RISK', eventTime: NOW, wormRisk: { ...sampleAlert().wormRisk, level: 'HIGH', score: 70 } }), 0)]);
    const body = (await app(s).inject({ url: '/v1/overview', headers: AUTH })).json<{ ports: { port: number; spark: number[]; risk: unknown }[]; alerts: { kind: string }[] }>();
    expect(body.ports.map((p) => p.port)).toEqual([445, 23]);
    expect(body.ports[0]).toMatchObject({ spark: [30, 20, 10], risk: { level: 'HIGH', score: 70 } });
    expect(body.alerts.map((a) => a.kind)).toEqual(['WORM_RISK']);
  });

  it('answers a port chart for a range with the alert markers and thresholds in it', async () => {
    const s = testStore();
    s.materialiser.apply(TOPICS.portStats, 0, [statsRecord(stats({ windowStart: NOW - 2 * 3_600_000 }), 0), statsRecord(stats({ windowStart: NOW - 10 * MINUTE, distinctSources: 300, surging: true }), 1)]);
    s.materialiser.apply(TOPICS.alerts, 0, [alertRecord(sampleAlert({ windowStart: NOW - 10 * MINUTE, eventTime: NOW - 9 * MINUTE }), 0)]);
    const res = await app(s).inject({ url: '/v1/ports/tcp/445?range=1h', headers: AUTH });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ series: { sources: number[]; surging: boolean[] }; alerts: { state: string; threshold: number }[] }>();
    expect(body.series.sources).toEqual([300]);
    expect(body.series.surging).toEqual([true]);
    expect(body.alerts).toEqual([expect.objectContaining({ state: 'FIRING', threshold: 120, windowStart: NOW - 10 * MINUTE })]);
  });

  it('answers a 7-day chart in 5-minute buckets and shorter ranges window by window', async () => {
    const s = testStore();
    s.materialiser.apply(TOPICS.portStats, 0, [statsRecord(stats({ windowStart: NOW - 10 * MINUTE, distinctSources: 7 }), 0), statsRecord(stats({ windowStart: NOW - 9 * MINUTE, distinctSources: 9 }), 1)]);
    const a = app(s);
    const week = (await a.inject({ url: '/v1/ports/tcp/445?range=7d', headers: AUTH })).json<{ bucketMs: number; series: { sources: number[] } }>();
    expect(week).toMatchObject({ bucketMs: 5 * MINUTE, series: { sources: [9] } });
    const day = (await a.inject({ url: '/v1/ports/tcp/445?range=24h', headers: AUTH })).json<{ bucketMs: number; series: { sources: number[] } }>();
    expect(day).toMatchObject({ bucketMs: 0, series: { sources: [7, 9] } });
  });

  it('rejects an unknown range or port with a stable code', async () => {
    const a = app(testStore());
    for (const url of ['/v1/ports/tcp/445?range=2h', '/v1/ports/tcp/70000', '/v1/ports/sctp/1']) {
      const res = await a.inject({ url, headers: AUTH });
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toMatchObject({ error: { code: 'CONSOLE_ERR_INVALID_REQUEST' } });
    }
  });

  it('lists alerts by port and kind and answers one alert with its lifecycle', async () => {
    const s = testStore();
    const firing = sampleAlert({ eventTime: NOW - 2 * MINUTE });
    s.materialiser.apply(TOPICS.alerts, 0, [
      alertRecord(firing, 0),
      alertRecord({ ...firing, state: 'RESOLVED', sequence: 1, eventTime: NOW - MINUTE }, 1),
      alertRecord(sampleAlert({ alertId: 'al_other', port: 23, eventTime: NOW }), 2),
    ]);
    const a = app(s);
    const list = (await a.inject({ url: '/v1/alerts?port=tcp/445', headers: AUTH })).json<{ items: { state: string }[] }>();
    expect(list.items.map((i) => i.state)).toEqual(['RESOLVED']);
    const active = (await a.inject({ url: '/v1/alerts?active=true', headers: AUTH })).json<{ items: { alertId: string }[] }>();
    expect(active.items.map((i) => i.alertId)).toEqual(['al_other']);
    const one = (await a.inject({ url: `/v1/alerts/${firing.alertId}`, headers: AUTH })).json<{ states: { state: string }[] }>();
    expect(one.states.map((x) => x.state)).toEqual(['FIRING', 'RESOLVED']);
    expect((await a.inject({ url: '/v1/alerts/al_missing', headers: AUTH })).json()).toMatchObject({ error: { code: 'CONSOLE_ERR_NOT_FOUND' } });
  });

  it('streams stored records as server-sent events', async () => {
    const s = testStore();
    const a = app(s);
    const address = await a.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`${address}/v1/events`, { headers: AUTH });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = (res.body ?? new ReadableStream<Uint8Array>()).pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (s.live.listeners === 0) await new Promise((r) => setImmediate(r));
    s.materialiser.apply(TOPICS.alerts, 0, [alertRecord(sampleAlert({ eventTime: NOW }), 0)]);
    while (!text.includes('\n\nevent: alert')) text += (await reader.read()).value ?? '';
    while (!text.endsWith('\n\n')) text += (await reader.read()).value ?? '';
    const data = /event: alert\ndata: (.*)\n\n/.exec(text)?.[1] ?? '';
    expect(JSON.parse(data)).toMatchObject({ type: 'alert', alert: { alertId: 'al_0123456789abcdef01234567', state: 'FIRING' } });
    await reader.cancel();
  });
});
