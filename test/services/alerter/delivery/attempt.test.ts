import { describe, expect, it } from 'vitest';
import { classify, postOnce } from '../../../../services/alerter/delivery/attempt.ts';
import { loopbackHttp, startTestServer } from '../fixtures.ts';

const limits = () => ({ timeoutMs: 2_000, maxResponseBytes: 1_024, ...loopbackHttp() });

describe('postOnce', () => {
  it('reads at most maxResponseBytes of an endless answer, then hangs up', async () => {
    const server = await startTestServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = 'x'.repeat(16 * 1024);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const result = await postOnce({ url: server.url, headers: {}, body: '{}' }, limits());
    expect(result).toMatchObject({ status: 200, failure: null });
    expect(result.detail.length).toBeLessThanOrEqual(200);
  });

  it('reports a server that never answers as a timeout', async () => {
    const server = await startTestServer(() => undefined);
    const started = Date.now();
    const result = await postOnce({ url: server.url, headers: {}, body: '{}' }, { ...limits(), timeoutMs: 150 });
    expect(result).toMatchObject({ status: null, failure: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('reports a refused connection as a network failure', async () => {
    const result = await postOnce({ url: 'http://127.0.0.1:1/hooks', headers: {}, body: '{}' }, limits());
    expect(result).toMatchObject({ status: null, failure: 'network' });
  });

  it('keeps the start of an error answer for operators', async () => {
    const server = await startTestServer((_req, res) => res.writeHead(500).end('database\u0000on fire\n'));
    expect(await postOnce({ url: server.url, headers: {}, body: '{}' }, limits())).toMatchObject({ status: 500, failure: 'status', detail: 'database on fire' });
  });

  it('rejects when the shutdown signal aborts it', async () => {
    const server = await startTestServer(() => undefined);
    const abort = new AbortController();
    const pending = postOnce({ url: server.url, headers: {}, body: '{}' }, { ...limits(), signal: abort.signal });
    abort.abort(new Error('stop'));
    await expect(pending).rejects.toThrow();
  });
});

describe('classify', () => {
  it('counts 2xx as success, 3xx as redirect, 410 as gone, the rest as failed status', () => {
    expect([200, 204, 299, 301, 308, 400, 410, 429, 500].map(classify)).toEqual([null, null, null, 'redirect', 'redirect', 'status', 'gone', 'status', 'status']);
  });
});
