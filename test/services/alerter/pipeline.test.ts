import { Webhook as Verifier } from 'standardwebhooks';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DeliveryDeadLetterHeaders, runAlertPipeline } from '../../../services/alerter/pipeline.ts';
import type { AlertPipeline } from '../../../services/alerter/pipeline.ts';
import { alertCodec } from '../../../services/common/avro/codecs.ts';
import type { Alert } from '../../../services/common/avro/generated-types.ts';
import { DeadLetterHeaders } from '../../../services/common/kafka/topics.ts';
import type { ConsumerOptions, InBatch, InRecord, OutRecord, RecordConsumer, RecordProducer } from '../../../services/common/kafka/transport.ts';
import { always, memoryStore, sampleAlert, silentLogger, startTestServer, stringHeaders } from './fixtures.ts';
import type { MemoryStore } from './fixtures.ts';

const topics = { alerts: 'test.alerts.v1', deadLetter: 'test.dead-letter.v1' };
const config = { groupId: 'test-alerter', delivery: { timeoutMs: 2_000, retrySchedule: [1, 1], maxResponseBytes: 1_024 } };

/**
 * The Kafka seam: a consumer that hands the pipeline the batches a test
 * gives it, and a producer that keeps what it is sent.
 */
class FakeKafka {
  readonly sent: { topic: string; record: OutRecord }[] = [];
  consumerOptions: ConsumerOptions | undefined;
  heartbeats = 0;
  closed = false;
  #handler: ((batch: InBatch) => Promise<void>) | undefined;
  #offset = 0;

  readonly producer: RecordProducer = {
    send: (topic, records) => {
      for (const record of records) this.sent.push({ topic, record });
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };

  readonly transport = {
    consumer: (opts: ConsumerOptions): RecordConsumer => {
      this.consumerOptions = opts;
      return {
        run: (handler) => {
          this.#handler = handler;
          return Promise.resolve();
        },
        close: () => {
          this.closed = true;
          return Promise.resolve();
        },
      };
    },
  };

  /** Runs one batch through the pipeline; resolves when the handler does, as the transport would before committing. */
  deliverBatch(values: (Buffer | null)[]): Promise<void> {
    if (this.#handler === undefined) throw new Error('pipeline is not running');
    const records = values.map((value): InRecord => ({ topic: topics.alerts, partition: 0, offset: String(this.#offset++), timestamp: 0, key: 'k', value, headers: {} }));
    return this.#handler({ topic: topics.alerts, partition: 0, records, heartbeat: () => {
        this.heartbeats++;
        return Promise.resolve();
      },
    });
  }

  deadLetters(): OutRecord[] {
    return this.sent.filter((s) => s.topic === topics.deadLetter).map((s) => s.record);
  }
}

async function start(memory: MemoryStore = memoryStore()): Promise<{ kafka: FakeKafka; pipeline: AlertPipeline }> {
  const kafka = new FakeKafka();
  const pipeline = await runAlertPipeline({ transport: kafka.transport, producer: kafka.producer, topics, subscriptions: memory.store, config, logger: silentLogger() });
  onTestFinished(() => pipeline.close());
  return { kafka, pipeline };
}

const encode = (alert: Alert): Buffer => alertCodec.encode(alert);

describe('runAlertPipeline', () => {
  it('joins the group on the alerts topic from the beginning and reports itself running', async () => {
    const { kafka, pipeline } = await start();
    expect(kafka.consumerOptions).toEqual({ groupId: 'test-alerter', topics: [topics.alerts], fromBeginning: true });
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
    memory.table.apply('sub_broken', { id: 'sub_broken', url: receiver.url, ports: [], secret: 'not-a-secret', createdAt: 0 });
    const { kafka } = await start(memory);
    await kafka.deliverBatch([encode(sampleAlert())]);
    expect(kafka.deadLetters().map((l) => l.headers?.[DeadLetterHeaders.reason])).toEqual(['ALERTER_ERR_SECRET_INVALID']);
    expect(receiver.requests).toHaveLength(0);
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
