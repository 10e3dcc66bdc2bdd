/**
 * A failing receiver's retries go through the retry topic: a real alerter
 * process and broker, one alerts partition, so without the hand-off the
 * second alert would wait behind the first one's retry schedule.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { alertCodec } from '../../services/common/avro/codecs.ts';
import { pickFreePort } from '../../tools/local-kafka/config.ts';
import { startService, waitForHttp } from '../../tools/demo/processes.ts';
import { sampleAlert } from '../support/alerts.ts';
import { createTestTopics, serviceEnv, testProducer, testTransport } from '../support/kafka.ts';
import { startReceiver } from '../support/receiver.ts';
import { testDir } from '../support/temp-dir.ts';

const stateOf = (body: string): string => {
  const data = (JSON.parse(body) as { data: { alertId: string; state: string } }).data;
  return `${data.alertId}/${data.state}`;
};

describe('alerter retries (real process)', () => {
  it('keep delivering fresh alerts while a failing receiver waits out its retry schedule, in order', async () => {
    const transport = testTransport();
    const topics = await createTestTopics(transport, 1);
    const token = randomBytes(24).toString('base64url');
    const port = await pickFreePort();
    const alerter = startService('alerter', {
      ...serviceEnv(topics),
      PORTENT_ALERTER_API_TOKENS: token,
      PORTENT_ALERTER_HTTP_HOST: '127.0.0.1',
      PORTENT_ALERTER_HTTP_PORT: String(port),
      PORTENT_ALERTER_ALLOWED_CIDRS: '127.0.0.1/32',
      PORTENT_ALERTER_RETRY_SCHEDULE: '3s',
    }, testDir('retries'));
    onTestFinished(() => alerter.stop());
    let alive = true;
    void alerter.exited.then(() => (alive = false));
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, 90_000, () => alive);

    // Fails its first request, then accepts everything.
    let flakyFailed = 0;
    const flaky = await startReceiver((r) => (stateOf(r.body) === 'first/FIRING' && !flakyFailed++ ? 503 : 204));
    const healthy = await startReceiver();
    for (const url of [flaky.url, healthy.url]) {
      const res = await fetch(`http://127.0.0.1:${port}/v1/subscriptions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
      expect(res.status).toBe(201);
    }
    const producer = await testProducer(transport);
    const publish = async (alertId: string, state: 'FIRING' | 'RESOLVED') => {
      const alert = sampleAlert({ alertId, state, sequence: state === 'FIRING' ? 0 : 1 });
      await producer.send(topics.alerts, [{ key: alert.alertId, value: alertCodec.encode(alert) }]);
    };
    await publish('first', 'FIRING');
    await flaky.waitFor(1, 30_000);
    const t0 = Date.now();
    await publish('first', 'RESOLVED');
    await publish('second', 'FIRING');
    await healthy.waitFor(3, 30_000);
    // The 3 s retry of first/FIRING did not hold up the partition.
    expect(Date.now() - t0).toBeLessThan(2_500);
    const flakyNow = flaky.requests.map((r) => stateOf(r.body));
    expect(flakyNow).toContain('second/FIRING');
    expect(flakyNow).not.toContain('first/RESOLVED');

    await flaky.waitFor(4, 30_000);
    const order = flaky.requests.map((r) => stateOf(r.body));
    expect(order.filter((s) => s.startsWith('first/'))).toEqual(['first/FIRING', 'first/FIRING', 'first/RESOLVED']);
  });
});
