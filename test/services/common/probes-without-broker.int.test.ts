/**
 * A broker outage must not fail liveness (the kubelet would restart every
 * pod, which fixes nothing), and a pod must answer its probes while it is
 * still connecting (or its startup probe fails). Each service runs as a real
 * process pointed at a port where nothing listens, with a start-up timeout
 * (KAFKA_STARTUP_TIMEOUT_MS) longer than the test.
 */
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startService, waitForHttp } from '../../../tools/demo/processes.ts';
import { pickFreePort } from '../../../tools/local-kafka/config.ts';
import { testDir } from '../../support/temp-dir.ts';

async function probes(base: string): Promise<{ live: number; ready: number }> {
  const [live, ready] = await Promise.all([fetch(`${base}/healthz`), fetch(`${base}/readyz`)]);
  return { live: live.status, ready: ready.status };
}

describe('probes while the broker is unreachable (real processes)', () => {
  it.each([
    ['detector', 'PORTENT_DETECTOR_HEALTH_PORT', {}],
    ['alerter', 'PORTENT_ALERTER_HTTP_PORT', { PORTENT_ALERTER_HTTP_HOST: '127.0.0.1', PORTENT_ALERTER_API_TOKENS: 'probe-test-token-0123456789abcdef' }],
    ['sensor', 'PORTENT_SENSOR_HEALTH_PORT', { PORTENT_SENSOR_SCENARIO: 'diurnal-day', PORTENT_SENSOR_SPEED: '1', PORTENT_SENSOR_FLUSH_GRACE_MS: '0' }],
  ] as const)('the %s is live but not ready', async (name, portSetting, extra) => {
    const [port, noBroker] = await Promise.all([pickFreePort(), pickFreePort()]);
    const dir = testDir(`probes-${name}`);
    const service = startService(name, { ...process.env, ...extra, KAFKA_BROKERS: `127.0.0.1:${noBroker}`, KAFKA_STARTUP_TIMEOUT_MS: '600000', [portSetting]: String(port), PORTENT_SENSOR_SPOOL_DIR: join(dir, 'spool') }, dir);
    onTestFinished(() => service.stop());
    let alive = true;
    void service.exited.then(() => (alive = false));
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/healthz`, 30_000, () => alive);
    expect(await probes(base)).toEqual({ live: 200, ready: 503 });
  });
});
