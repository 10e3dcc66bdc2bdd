import { randomBytes } from 'node:crypto';
import { CloudEvent, HTTP } from 'cloudevents';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it, onTestFinished } from 'vitest';
import { pickFreePort } from '../../tools/local-kafka/config.ts';
import { startService, waitForHttp } from '../../tools/demo/processes.ts';
import { createTestTopics, serviceEnv, testProducer, testTransport } from '../support/kafka.ts';
import { startReceiver } from '../support/receiver.ts';
import { publishDemoScenario } from '../support/scenario.ts';
import { testDir } from '../support/temp-dir.ts';

interface Delivered {
  type: string;
  data: { alertId: string; state: string; kind: string; protocol: string; port: number; sequence: number; reasons: string[] };
}

describe('end to end (real broker, real processes, real HTTP)', () => {
  it('turns a surge of connection events into signed webhooks that standardwebhooks verifies', async () => {
    const transport = testTransport();
    const topics = await createTestTopics(transport);
    const logDir = testDir('e2e');
    const token = randomBytes(24).toString('base64url');
    const port = await pickFreePort();
    const env = { ...serviceEnv(topics), PORTENT_LOG_LEVEL: 'info' };
    const alerter = startService('alerter', { ...env, PORTENT_ALERTER_HTTP_HOST: '127.0.0.1', PORTENT_ALERTER_HTTP_PORT: String(port), PORTENT_ALERTER_API_TOKENS: token, PORTENT_ALERTER_ALLOWED_CIDRS: '127.0.0.1/32' }, logDir);
    const detector = startService('detector', env, logDir);
    onTestFinished(() => Promise.all([alerter.stop(), detector.stop()]).then(() => undefined));
    let alive = true;
    void alerter.exited.then(() => (alive = false));
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, 90_000, () => alive);

    const receiver = await startReceiver();
    const res = await fetch(`http://127.0.0.1:${port}/v1/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, ports: [445] }),
    });
    expect(res.status).toBe(201);
    const { secret } = (await res.json()) as { secret: string };

    const producer = await testProducer(transport);
    await publishDemoScenario(producer, topics.connections);

    // The demo surge is FIRING, UPDATED twice (severity rises, then its shape settles), then RESOLVED.
    const received = await receiver.waitFor(4);
    const verifier = new Webhook(secret);
    const payloads = received.map((r) => {
      const headers = Object.fromEntries(Object.entries(r.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
      return verifier.verify(r.body, headers) as Delivered;
    });
    const firing = received[0];
    expect(payloads.map((p) => [p.type, p.data.state, p.data.protocol, p.data.port])).toEqual([
      ['portent.alert.surge.firing', 'FIRING', 'TCP', 445],
      ['portent.alert.surge.updated', 'UPDATED', 'TCP', 445],
      ['portent.alert.surge.updated', 'UPDATED', 'TCP', 445],
      ['portent.alert.surge.resolved', 'RESOLVED', 'TCP', 445],
    ]);
    expect(new Set(payloads.map((p) => p.data.alertId)).size).toBe(1);
    expect(payloads[0]?.data.reasons[0]).toMatch(/distinct sources on tcp\/445/);
    // The default body is a structured CloudEvent, as the cloudevents SDK reads it.
    for (const r of received) {
      const event = HTTP.toEvent({ headers: r.headers, body: r.body });
      expect(new CloudEvent({ ...(Array.isArray(event) ? event[0] : event) }).validate()).toBe(true);
      expect(r.headers['content-type']).toBe('application/cloudevents+json');
    }
    // A forged body fails verification.
    const forged = { ...firing?.headers } as Record<string, string>;
    expect(() => verifier.verify((firing?.body ?? '').replace('FIRING', 'RESOLVED'), forged)).toThrow();
  });
});
