import { describe, expect, it, onTestFinished } from 'vitest';
import { HEALTH_PATHS, healthAnswer, startHealthServer } from '../../../services/common/health-server.ts';
import { createLogger } from '../../../services/common/logger.ts';

const quiet = createLogger('test', 'silent');

describe('health answers', () => {
  it('liveness answers 200 even when a readiness check fails', () => {
    expect(healthAnswer('GET', HEALTH_PATHS.liveness, { kafka: () => false })).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('readiness answers 503 naming the failing check, and 200 once all hold', () => {
    let consumer = false;
    const checks = { consumer: () => consumer, producer: () => true };
    expect(healthAnswer('GET', HEALTH_PATHS.readiness, checks)).toEqual({ status: 503, body: { ready: false, checks: { consumer: false, producer: true } } });
    consumer = true;
    expect(healthAnswer('GET', HEALTH_PATHS.readiness, checks).status).toBe(200);
  });

  it('unknown paths answer 404 and other methods 405', () => {
    expect(healthAnswer('GET', '/metrics', {}).status).toBe(404);
    expect(healthAnswer('POST', HEALTH_PATHS.liveness, {}).status).toBe(405);
  });
});

describe('health server', () => {
  it('serves the probes over HTTP and closes promptly', async () => {
    let ready = false;
    const server = await startHealthServer({ host: '127.0.0.1', port: 0, checks: { consumer: () => ready }, logger: quiet });
    onTestFinished(() => server.close());
    const url = (path: string): string => `http://127.0.0.1:${server.port}${path}`;
    expect((await fetch(url('/healthz'))).status).toBe(200);
    const notReady = await fetch(url('/readyz?verbose=1'));
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ ready: false, checks: { consumer: false } });
    ready = true;
    expect((await fetch(url('/readyz'))).status).toBe(200);
    const started = Date.now();
    await server.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(fetch(url('/healthz'))).rejects.toThrow();
  });

  it('fails to start, rather than run without probes, when the port is taken', async () => {
    const first = await startHealthServer({ host: '127.0.0.1', port: 0, checks: {}, logger: quiet });
    onTestFinished(() => first.close());
    await expect(startHealthServer({ host: '127.0.0.1', port: first.port, checks: {}, logger: quiet })).rejects.toThrow(/EADDRINUSE/);
  });
});
