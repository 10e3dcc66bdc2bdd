/**
 * No consumer waits for a receiver: a real alerter process on the real
 * broker, one alerts partition, a receiver that is down for longer than the
 * consumer session timeout while later states of the same alert keep
 * arriving. The alert consumer must never be evicted from its group, no
 * webhook-id may be delivered twice, another subscription's fresh alert must
 * arrive while the receiver is still down, and the failing receiver still
 * gets every state in order once it is back.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { alertCodec } from '../../services/common/avro/codecs.ts';
import type { Alert } from '../../services/common/avro/generated-types.ts';
import { pickFreePort } from '../../tools/local-kafka/config.ts';
import { startService, waitForHttp } from '../../tools/demo/processes.ts';
import { sampleAlert } from '../support/alerts.ts';
import { createTestTopics, serviceEnv, testProducer, testTransport, uniqueName } from '../support/kafka.ts';
import { startReceiver } from '../support/receiver.ts';
import type { ReceivedRequest } from '../support/receiver.ts';

const SESSION_TIMEOUT_MS = 6_000;

interface Answer {
  readonly webhookId: string;
  readonly state: string;
  readonly status: number;
}

const answerOf = (r: ReceivedRequest, status: number): Answer => {
  const { data } = JSON.parse(r.body) as { data: { alertId: string; state: string; sequence: number } };
  return { webhookId: String(r.headers['webhook-id']), state: `${data.alertId}/${data.state}/${data.sequence}`, status };
};

const delivered = (answers: readonly Answer[]): string[] => answers.filter((a) => a.status < 300).map((a) => a.state);
const deliveredIds = (answers: readonly Answer[]): string[] => answers.filter((a) => a.status < 300).map((a) => a.webhookId);

async function until(done: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('alerter with a receiver down (real process, real broker)', () => {
  it('keeps its group membership, delivers no webhook-id twice and delays no other subscription', { timeout: 180_000 }, async () => {
    const transport = testTransport();
    const topics = await createTestTopics(transport, 1);
    const dir = mkdtempSync(join(tmpdir(), 'portent-receiver-down-'));
    onTestFinished(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const token = randomBytes(24).toString('base64url');
    const port = await pickFreePort();
    const alerter = startService('alerter', {
      ...serviceEnv(topics),
      PORTENT_ALERTER_API_TOKENS: token,
      PORTENT_ALERTER_HTTP_HOST: '127.0.0.1',
      PORTENT_ALERTER_HTTP_PORT: String(port),
      PORTENT_ALERTER_ALLOWED_CIDRS: '127.0.0.1/32',
      PORTENT_ALERTER_GROUP_ID: uniqueName('alerter'),
      PORTENT_ALERTER_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      // The whole chain (3 + 6 + 12 + 24 s, ± 20 %) lasts far longer than the session timeout.
      PORTENT_ALERTER_RETRY_SCHEDULE: '3s,6s,12s,24s',
    }, dir);
    onTestFinished(() => alerter.stop());
    let alive = true;
    void alerter.exited.then(() => (alive = false));
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, 90_000, () => alive);

    let down = true;
    const failing: Answer[] = [];
    const healthy: Answer[] = [];
    const a = await startReceiver((r) => {
      const status = down ? 503 : 204;
      failing.push(answerOf(r, status));
      return status;
    });
    const b = await startReceiver((r) => {
      healthy.push(answerOf(r, 204));
      return 204;
    });
    for (const body of [{ url: a.url, ports: [445] }, { url: b.url }]) {
      const res = await fetch(`http://127.0.0.1:${port}/v1/subscriptions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(201);
    }
    const producer = await testProducer(transport);
    const publish = (alert: Alert) => producer.send(topics.alerts, [{ key: alert.alertId, value: alertCodec.encode(alert) }]);

    await publish(sampleAlert({ alertId: 'worm', state: 'FIRING', sequence: 0 }));
    await until(() => failing.length >= 1 && healthy.length >= 1, 'the first attempts');
    // Later states of the same alert while its receiver is down, then another subscription's fresh alert.
    await publish(sampleAlert({ alertId: 'worm', state: 'UPDATED', sequence: 1 }));
    await publish(sampleAlert({ alertId: 'worm', state: 'UPDATED', sequence: 2 }));
    await publish(sampleAlert({ alertId: 'telnet', port: 23, state: 'FIRING', sequence: 0 }));
    // Arrives while the failing receiver is still down and its retry chain still running.
    await until(() => delivered(healthy).length >= 4, 'every state and the fresh alert at the healthy receiver', 30_000);
    expect(down).toBe(true);
    expect(delivered(healthy).sort()).toEqual(['telnet/FIRING/0', 'worm/FIRING/0', 'worm/UPDATED/1', 'worm/UPDATED/2']);
    // Down for longer than the session timeout: the third attempt comes >= 3 * 0.8 + 6 * 0.8 s after the first.
    await until(() => failing.length >= 3, 'the second retry', 60_000);
    down = false;

    await until(() => delivered(failing).length >= 3, 'every state at the recovered receiver', 90_000);
    expect(delivered(failing)).toEqual(['worm/FIRING/0', 'worm/UPDATED/1', 'worm/UPDATED/2']);
    for (const answers of [failing, healthy]) expect(new Set(deliveredIds(answers)).size).toBe(deliveredIds(answers).length);
    // An evicted member shows up as kafkajs re-joining its group.
    const rejoins = readFileSync(alerter.logFile, 'utf8').split('\n').filter((l) => l.includes('"component":"kafkajs"') && /re-joining|not aware of this member|rebalanc/i.test(l));
    expect(rejoins).toEqual([]);
  });
});
