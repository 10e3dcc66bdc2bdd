import { Webhook as Verifier } from 'standardwebhooks';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runAlertPipeline } from '../../../../services/alerter/consumers/alert-pipeline.ts';
import { DeliveryDeadLetterHeaders } from '../../../../services/alerter/consumers/dead-letter-headers.ts';
import type { AlertPipeline } from '../../../../services/alerter/consumers/alert-pipeline.ts';
import { alertCodec } from '../../../../services/common/avro/codecs.ts';
import type { Alert, Silence } from '../../../../services/common/avro/generated-types.ts';
import { DeadLetterHeaders } from '../../../../services/common/kafka/topics.ts';
import { FakeKafka } from '../fake-kafka.ts';
import { WebhookSender } from '../../../../services/alerter/delivery/sender.ts';
import { always, loopbackHttp, memoryStore, sampleAlert, sampleSubscription, silentLogger, startTestServer, stringHeaders } from '../fixtures.ts';
import type { MemoryStore } from '../fixtures.ts';

const topics = { alerts: 'test.alerts.v1', deadLetter: 'test.dead-letter.v1' };
const config = { groupId: 'test-alerter' };
const settings = { timeoutMs: 2_000, retrySchedule: [1, 1], maxResponseBytes: 1_024 };

async function start(memory: MemoryStore = memoryStore(), extra: { silences?: Silence[]; timeoutMs?: number; maxAlertAgeMs?: number } = {}): Promise<{ kafka: FakeKafka; pipeline: AlertPipeline }> {
  const kafka = new FakeKafka(topics.alerts, topics.deadLetter);
  const sender = new WebhookSender({ settings: { ...settings, timeoutMs: extra.timeoutMs ?? settings.timeoutMs }, http: loopbackHttp(), logger: silentLogger(), subscriptions: memory.store, now: memory.clock });
  const silences = extra.silences ?? [];
  const pipeline = await runAlertPipeline({ transport: kafka.transport, producer: kafka.producer, topics, subscriptions: memory.store, silences: { values: () => silences }, sender, config: { ...config, pacing: { maxAlertAgeMs: extra.maxAlertAgeMs ?? 86_400_000 } }, logger: silentLogger(), now: memory.clock });
  onTestFinished(() => pipeline.close());
  return { kafka, pipeline };
}

const encode = (alert: Alert): Buffer => alertCodec.encode(alert);

describe('runAlertPipeline', () => {
  it('joins the group on the alerts topic from the beginning and reports itself running', async () => {
    const { kafka, pipeline } = await start();
    expect(kafka.consumerOptions).toEqual({ groupId: 'test-alerter', topics: [topics.alerts], fromBeginning: true, partitionsConcurrently: 8 });
    expect(pipeline.running).toBe(true);
  });

  it('delivers each alert, signed, to the subscriptions that match it', async () => {
    const memory = memoryStore();
    const smb = await startTestServer(always(204));
    const ssh = await startTestServer(always(204));
    const smbSub = await memory.store.create({ url: smb.url, ports: [445] });
    await memory.store.create({ url: ssh.url, ports: [22] });
    const { kafka } = await start(memory);
    await kafka.deliverBatch([encode(sampleAlert({ port: 445 }))]);
    expect(ssh.requests).toHaveLength(0);
    expect(smb.requests).toHaveLength(1);
    const [req] = smb.requests;
    expect(new Verifier(smbSub.secret).verify(req?.body ?? '', stringHeaders(req?.headers ?? {}))).toMatchObject({ type: 'portent.alert.surge.firing' });
    expect(kafka.deadLetters()).toEqual([]);
    expect(kafka.heartbeats).toBeGreaterThanOrEqual(1);
  });

  it('dead-letters an undecodable record with its reason and goes on with the batch', async () => {
    const memory = memoryStore();
    const receiver = await startTestServer(always(204));
    await memory.store.create({ url: receiver.url });
    const { kafka } = await start(memory);
    await kafka.deliverBatch([Buffer.from('not avro'), null, encode(sampleAlert())]);
    const letters = kafka.deadLetters();
    expect(letters.map((l) => l.headers?.[DeadLetterHeaders.reason])).toEqual(['PORTENT_ERR_AVRO_BAD_HEADER', 'ALERTER_ERR_EMPTY_ALERT']);
    expect(letters[0]).toMatchObject({ key: 'k', value: Buffer.from('not avro'), headers: { [DeadLetterHeaders.consumer]: 'test-alerter', [DeadLetterHeaders.offset]: '0' } });
    expect(receiver.requests).toHaveLength(1);
  });

  it('dead-letters an alert whose retries ran out, naming the subscription, and still serves the others', async () => {
    const memory = memoryStore();
    const dead = await startTestServer(always(500));
    const alive = await startTestServer(always(200));
    const deadSub = await memory.store.create({ url: dead.url });
    await memory.store.create({ url: alive.url });
    const { kafka } = await start(memory);
    const value = encode(sampleAlert());
    await kafka.deliverBatch([value]);
    expect(dead.requests).toHaveLength(3);
    expect(alive.requests).toHaveLength(1);
    const letters = kafka.deadLetters();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      key: 'k',
      value,
      headers: {
        [DeadLetterHeaders.reason]: 'ALERTER_ERR_DELIVERY_FAILED',
        [DeliveryDeadLetterHeaders.subscriptionId]: deadSub.id,
        [DeliveryDeadLetterHeaders.webhookId]: 'msg_surge-tcp-445-1795766400000_0',
        [DeliveryDeadLetterHeaders.attempts]: '3',
        [DeliveryDeadLetterHeaders.status]: '500',
      },
    });
  });

  it('dead-letters a subscription with an unusable secret without holding up the batch', async () => {
    const memory = memoryStore();
    const receiver = await startTestServer(always(204));
    memory.table.apply('sub_broken', sampleSubscription({ id: 'sub_broken', url: receiver.url, ports: [], secret: 'not-a-secret', createdAt: 0 }));
    const { kafka } = await start(memory);
    await kafka.deliverBatch([encode(sampleAlert())]);
    expect(kafka.deadLetters().map((l) => l.headers?.[DeadLetterHeaders.reason])).toEqual(['ALERTER_ERR_SECRET_INVALID']);
    expect(receiver.requests).toHaveLength(0);
  });

  it('lets no hanging, garbage-speaking or endless receiver delay another subscriber', { timeout: 60_000 }, async () => {
    const memory = memoryStore();
    // The hanging receiver never answers: its attempt ends only when the 500 ms timeout closes the connection.
    let hangingTimedOut = false;
    const hanging = await startTestServer((_req, res) => {
      res.on('close', () => (hangingTimedOut = true));
    });
    const garbage = await startTestServer((_req, res) => {
      res.socket?.end('HTTP/1.1 2OO NOT-HTTP\r\n\r\n');
    });
    const endless = await startTestServer((_req, res) => {
      res.writeHead(500);
      const pump = (): void => {
        while (!res.destroyed && res.write('x'.repeat(16_384)));
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    let goodBeforeTimeout: boolean | undefined;
    const good = await startTestServer((_req, res) => {
      goodBeforeTimeout = !hangingTimedOut;
      res.writeHead(204).end();
    });
    for (const s of [hanging, garbage, endless, good]) await memory.store.create({ url: s.url });
    const { kafka } = await start(memory, { timeoutMs: 500 });
    await kafka.deliverBatch([encode(sampleAlert())]);
    // Not a wall-clock bound: the good receiver was served while the hanging one still held its attempt open.
    expect(goodBeforeTimeout).toBe(true);
    expect(kafka.deadLetters()).toHaveLength(3);
  });

  it('skips alert records older than the maximum age, as a new group replaying the topic would meet them', async () => {
    const memory = memoryStore();
    const receiver = await startTestServer(always(204));
    await memory.store.create({ url: receiver.url });
    const { kafka } = await start(memory, { maxAlertAgeMs: 60_000 });
    await kafka.deliverBatch([encode(sampleAlert({ alertId: 'old' }))], Date.now() - 120_000);
    await kafka.deliverBatch([encode(sampleAlert({ alertId: 'new' }))], Date.now() - 1_000);
    expect(receiver.requests.map((r) => (JSON.parse(r.body) as { data: { alertId: string } }).data.alertId)).toEqual(['new']);
  });

  it('skips a FIRING alert muted by an active silence', async () => {
    const memory = memoryStore();
    const receiver = await startTestServer(always(204));
    await memory.store.create({ url: receiver.url });
    const silence: Silence = { id: 'sil_1', ports: [445], kinds: [], startsAt: 0, endsAt: Date.now() + 60_000, reason: 'maintenance', createdAt: 0 };
    const { kafka } = await start(memory, { silences: [silence] });
    await kafka.deliverBatch([encode(sampleAlert({ port: 445 })), encode(sampleAlert({ alertId: 'other', port: 22 }))]);
    expect(receiver.requests.map((r) => (JSON.parse(r.body) as { data: { port: number } }).data.port)).toEqual([22]);
  });

  it('fails the batch, leaving it uncommitted, when closed mid-delivery', async () => {
    const memory = memoryStore();
    const hanging = await startTestServer(() => undefined);
    await memory.store.create({ url: hanging.url });
    const { kafka, pipeline } = await start(memory);
    const batch = kafka.deliverBatch([encode(sampleAlert())]);
    while (hanging.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await pipeline.close();
    await expect(batch).rejects.toMatchObject({ code: 'ALERTER_ERR_DELIVERY_ABORTED' });
    expect(pipeline.running).toBe(false);
    expect(kafka.closed).toBe(true);
    expect(kafka.deadLetters()).toEqual([]);
  });
});
