/**
 * Three alerter replicas in one consumer group, real processes and a real
 * broker; a surge of alerts is published while one replica leaves and
 * another joins (two rebalances mid-surge). Every (subscription, alert state)
 * must arrive exactly once, FIRING before RESOLVED, each verifiable.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it, onTestFinished } from 'vitest';
import { alertCodec } from '../../services/common/avro/codecs.ts';
import { pickFreePort } from '../../tools/local-kafka/config.ts';
import { startService, waitForHttp } from '../../tools/demo/processes.ts';
import { sampleAlert } from '../support/alerts.ts';
import { createTestTopics, serviceEnv, testProducer, testTransport, uniqueName } from '../support/kafka.ts';
import { waitForOffsets } from '../support/offsets.ts';
import { startReceiver } from '../support/receiver.ts';
import { testDir } from '../support/temp-dir.ts';

const ALERTS = 40;

describe('alerter replicas (real processes)', () => {
  it('deliver each alert state once across a rebalance in the middle of a surge', async () => {
    const transport = testTransport();
    const topics = await createTestTopics(transport, 6);
    const logDir = testDir('replicas');
    const token = randomBytes(24).toString('base64url');
    const groupId = uniqueName('alerter');
    const env = {
      ...serviceEnv(topics),
      PORTENT_ALERTER_GROUP_ID: groupId,
      PORTENT_ALERTER_API_TOKENS: token,
      PORTENT_ALERTER_HTTP_HOST: '127.0.0.1',
      PORTENT_ALERTER_ALLOWED_CIDRS: '127.0.0.1/32',
    };
    const replica = async (name: string) => {
      const port = await pickFreePort();
      const service = startService('alerter', { ...env, PORTENT_ALERTER_HTTP_PORT: String(port) }, mkdtempSync(join(logDir, name)));
      onTestFinished(() => service.stop());
      let alive = true;
      void service.exited.then(() => (alive = false));
      return { service, api: `http://127.0.0.1:${port}`, ready: () => waitForHttp(`http://127.0.0.1:${port}/readyz`, 90_000, () => alive) };
    };
    const [a, b, c] = await Promise.all([replica('a'), replica('b'), replica('c')]);
    await Promise.all([a.ready(), b.ready(), c.ready()]);

    // A receiver slow enough (20 ms per webhook) that deliveries are in flight when the group rebalances.
    const receiver = await startReceiver(() => 204, 20);
    const res = await fetch(`${a.api}/v1/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, ports: [445] }),
    });
    const { id, secret } = (await res.json()) as { id: string; secret: string };
    // Every replica has read the subscription from the compacted topic.
    for (const r of [b, c]) {
      for (let tries = 0; (await fetch(`${r.api}/v1/subscriptions/${id}`, { headers: { authorization: `Bearer ${token}` } })).status !== 200; tries++) {
        if (tries > 100) throw new Error('subscription never reached every replica');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    const producer = await testProducer(transport);
    const publish = async (from: number, to: number, state: 'FIRING' | 'RESOLVED') => {
      for (let i = from; i < to; i++) {
        const alert = sampleAlert({ alertId: `surge-tcp-445-${i}`, state, sequence: state === 'FIRING' ? 0 : 1 });
        await producer.send(topics.alerts, [{ key: alert.alertId, value: alertCodec.encode(alert) }]);
      }
    };
    await publish(0, ALERTS / 2, 'FIRING');
    const leaving = c.service.stop();
    const d = await replica('d');
    await publish(ALERTS / 2, ALERTS, 'FIRING');
    await publish(0, ALERTS, 'RESOLVED');
    await Promise.all([leaving, d.ready()]);

    await receiver.waitFor(ALERTS * 2, 120_000);
    await waitForOffsets(groupId, topics.alerts, (o) => o.every((p) => p.committed === p.end), 60_000);
    const ids = receiver.requests.map((r) => String(r.headers['webhook-id']));
    expect(ids).toHaveLength(ALERTS * 2);
    expect(new Set(ids).size).toBe(ALERTS * 2);
    const verifier = new Webhook(secret);
    const order = receiver.requests.map((r) => {
      const headers = Object.fromEntries(Object.entries(r.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
      const event = verifier.verify(r.body, headers) as { data: { alertId: string; state: string } };
      return `${event.data.alertId}/${event.data.state}`;
    });
    for (let i = 0; i < ALERTS; i++) expect(order.indexOf(`surge-tcp-445-${i}/FIRING`)).toBeLessThan(order.indexOf(`surge-tcp-445-${i}/RESOLVED`));
  });
});
