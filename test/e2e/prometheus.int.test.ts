/**
 * A real Prometheus (Debian's `prometheus` package) scrapes the three
 * services, run as processes against the real broker, and its query API
 * returns their metrics. Without the binary the test is skipped, unless
 * PORTENT_REQUIRE_PROMETHEUS=1 (CI installs it and sets that), when it fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { pickFreePort } from '../../tools/local-kafka/config.ts';
import { startService, waitForHttp } from '../../tools/demo/processes.ts';
import type { ServiceProcess } from '../../tools/demo/processes.ts';
import { createTestTopics, serviceEnv, testTransport } from '../support/kafka.ts';
import { startReceiver } from '../support/receiver.ts';
import { testDir } from '../support/temp-dir.ts';

const PROMETHEUS = process.env['PORTENT_PROMETHEUS_BIN'] ?? 'prometheus';
const installed = spawnSync(PROMETHEUS, ['--version'], { stdio: 'ignore' }).status === 0;
const required = process.env['PORTENT_REQUIRE_PROMETHEUS'] === '1';

interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

/** Polls an instant query until `accept` holds for its result. */
async function queryUntil(base: string, query: string, accept: (samples: Sample[]) => boolean, timeoutMs = 60_000): Promise<Sample[]> {
  const deadline = Date.now() + timeoutMs;
  let last: Sample[] = [];
  for (let delay = 200; Date.now() < deadline; delay = Math.min(delay * 2, 1000)) {
    const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}`).catch(() => undefined);
    if (res?.ok === true) {
      const body = (await res.json()) as { data: { result: Sample[] } };
      last = body.data.result;
      if (accept(last)) return last;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  throw new Error(`${query}: not accepted within ${timeoutMs} ms; last result ${JSON.stringify(last)}`);
}

const value = (s: Sample | undefined): number => Number(s?.value[1] ?? Number.NaN);

function stopAll(services: readonly ServiceProcess[]): () => Promise<void> {
  return () => Promise.all(services.map((s) => s.stop())).then(() => undefined);
}

describe('Prometheus scrape (real Prometheus, real processes, real broker)', () => {
  if (!installed && required) it('has Prometheus installed', () => expect.fail(`${PROMETHEUS} not found, but PORTENT_REQUIRE_PROMETHEUS=1`));
  if (!installed && !required) console.warn(`${PROMETHEUS} not found: the Prometheus scrape test is skipped`);

  it.skipIf(!installed)('scrapes /metrics of the sensor, the detector and the alerter', async () => {
    const transport = testTransport();
    const topics = await createTestTopics(transport);
    const dir = testDir('prom');
    const [sensorPort, detectorPort, alerterPort, promPort] = await Promise.all([pickFreePort(), pickFreePort(), pickFreePort(), pickFreePort()]);
    const token = randomBytes(24).toString('base64url');
    const env = serviceEnv(topics);
    const alerter = startService('alerter', { ...env, PORTENT_ALERTER_HTTP_HOST: '127.0.0.1', PORTENT_ALERTER_HTTP_PORT: String(alerterPort), PORTENT_ALERTER_API_TOKENS: token, PORTENT_ALERTER_ALLOWED_CIDRS: '127.0.0.1/32' }, dir);
    const detector = startService('detector', { ...env, PORTENT_DETECTOR_HEALTH_PORT: String(detectorPort) }, dir);
    // A simulated day at 60x: runs for the whole test, publishing all the while.
    const sensor = startService('sensor', { ...env, PORTENT_SENSOR_HEALTH_PORT: String(sensorPort), PORTENT_SENSOR_INPUT: 'simulator', PORTENT_SENSOR_SCENARIO: 'diurnal-day', PORTENT_SENSOR_SPEED: '60', PORTENT_SENSOR_SPOOL_DIR: join(dir, 'spool') }, dir);
    onTestFinished(stopAll([sensor, detector, alerter]));

    const config = [
      'global: { scrape_interval: 1s, scrape_timeout: 1s }',
      'scrape_configs:',
      ...[['portent-sensor', sensorPort], ['portent-detector', detectorPort], ['portent-alerter', alerterPort]].map(([job, port]) => `  - { job_name: ${String(job)}, static_configs: [ { targets: ['127.0.0.1:${String(port)}'] } ] }`),
    ].join('\n');
    writeFileSync(join(dir, 'prometheus.yml'), `${config}\n`);
    const prometheus = spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' });
    const promExited = new Promise((resolve) => prometheus.once('exit', resolve));
    onTestFinished(async () => {
      prometheus.kill('SIGTERM');
      await promExited;
    });
    const base = `http://127.0.0.1:${promPort}`;
    await waitForHttp(`${base}/-/ready`, 30_000, () => prometheus.exitCode === null);

    // A test ping through the alerter's API: one delivery attempt for the alerter's metrics.
    await waitForHttp(`http://127.0.0.1:${alerterPort}/readyz`, 90_000, () => true);
    const receiver = await startReceiver();
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`http://127.0.0.1:${alerterPort}/v1/subscriptions`, { method: 'POST', headers: auth, body: JSON.stringify({ url: receiver.url }) });
    const { id } = (await created.json()) as { id: string };
    expect((await fetch(`http://127.0.0.1:${alerterPort}/v1/subscriptions/${id}/test`, { method: 'POST', headers: { authorization: auth.authorization } })).status).toBe(200);

    const up = await queryUntil(base, 'up', (r) => r.length === 3 && r.every((s) => value(s) === 1));
    expect(up.map((s) => s.metric['job']).sort()).toEqual(['portent-alerter', 'portent-detector', 'portent-sensor']);
    const published = await queryUntil(base, 'portent_sensor_events_published_total', (r) => value(r[0]) > 0);
    expect(published[0]?.metric['job']).toBe('portent-sensor');
    await queryUntil(base, 'portent_detector_events_total', (r) => value(r[0]) > 0);
    const lag = await queryUntil(base, `portent_consumer_lag{topic="${topics.connections}"}`, (r) => r.length > 0);
    expect(lag.every((s) => s.metric['job'] === 'portent-detector' && s.metric['partition'] !== undefined)).toBe(true);
    await queryUntil(base, 'portent_detector_batch_seconds_count', (r) => value(r[0]) > 0);
    const attempts = await queryUntil(base, 'portent_alerter_attempts_total{outcome="ok"}', (r) => value(r[0]) >= 1);
    expect(attempts[0]?.metric['job']).toBe('portent-alerter');
    await queryUntil(base, 'portent_alerter_attempt_seconds_bucket{le="+Inf"}', (r) => value(r[0]) >= 1);
  });
});
