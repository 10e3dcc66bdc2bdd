import { describe, expect, it, onTestFinished } from 'vitest';
import { runAlertPipeline } from '../../../../services/alerter/consumers/alert-pipeline.ts';
import { runRetryWorker } from '../../../../services/alerter/consumers/retry-worker.ts';
import { WebhookSender } from '../../../../services/alerter/delivery/sender.ts';
import { alertCodec, deliveryTaskCodec } from '../../../../services/common/avro/codecs.ts';
import { DeadLetterHeaders } from '../../../../services/common/kafka/topics.ts';
import { FakeKafka } from '../fake-kafka.ts';
import { loopbackHttp, memoryStore, sampleAlert, silentLogger, startTestServer } from '../fixtures.ts';
import type { MemoryStore, TestServer } from '../fixtures.ts';

const topics = { alerts: 'test.alerts.v1', deadLetter: 'test.dead-letter.v1', alerterRetries: 'test.alerter-retries.v1' };
const settings = { timeoutMs: 2_000, retrySchedule: [1, 1], maxResponseBytes: 1_024 };
const stateOf = (body: string): string => (JSON.parse(body) as { data: { state: string } }).data.state;

async function setUp(memory: MemoryStore) {
  const alerts = new FakeKafka(topics.alerts, topics.deadLetter);
  const retries = new FakeKafka(topics.alerterRetries, topics.deadLetter);
  // One sender, as in main.ts: the pipeline and the worker share its per-(subscription, alert) chains.
  const sender = new WebhookSender({ settings, http: loopbackHttp(), logger: silentLogger(), subscriptions: memory.store, now: memory.clock });
  // One producer for both, so every record either of them writes is in alerts.sent.
  const common = { producer: alerts.producer, topics, subscriptions: memory.store, sender, config: { groupId: 'test-alerter' }, logger: silentLogger(), now: memory.clock };
  const pipeline = await runAlertPipeline({ ...common, transport: alerts.transport });
  const worker = await runRetryWorker({ ...common, transport: retries.transport });
  onTestFinished(async () => {
    await pipeline.close();
    await worker.close();
  });
  /** Moves what the pipeline handed off into the worker, as the retry topic would. */
  const handOver = () => retries.deliverBatch(alerts.sent.filter((s) => s.topic === topics.alerterRetries).map((s) => s.record.value));
  return { alerts, handOver };
}

describe('retry hand-off', () => {
  it('makes one attempt in the pipeline, hands the retry off, and queues the later state behind it', async () => {
    const memory = memoryStore();
    let failing = true;
    const flaky = await startTestServer((_req, res) => res.writeHead(failing ? 503 : 204).end());
    const healthy = await startTestServer((_req, res) => res.writeHead(204).end());
    const flakySub = await memory.store.create({ url: flaky.url });
    await memory.store.create({ url: healthy.url });
    const { alerts, handOver } = await setUp(memory);

    await alerts.deliverBatch([alertCodec.encode(sampleAlert())]);
    await alerts.deliverBatch([alertCodec.encode(sampleAlert({ state: 'RESOLVED', sequence: 1 }))]);
    // The pipeline never waited for the flaky receiver: one attempt, then a task; the RESOLVED was queued unsent.
    expect(flaky.requests.map((r) => stateOf(r.body))).toEqual(['FIRING']);
    expect(healthy.requests.map((r) => stateOf(r.body))).toEqual(['FIRING', 'RESOLVED']);
    const tasks = alerts.sent.filter((s) => s.topic === topics.alerterRetries).map((s) => s.record);
    expect(tasks.map((r) => [r.key, r.value === null ? null : deliveryTaskCodec.decode(r.value).attempts])).toEqual([[flakySub.id, 1], [flakySub.id, 0]]);
    expect(alerts.deadLetters()).toEqual([]);

    failing = false;
    await handOver();
    expect(flaky.requests.map((r) => stateOf(r.body))).toEqual(['FIRING', 'FIRING', 'RESOLVED']);
    expect(new Set(flaky.requests.slice(0, 2).map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(alerts.deadLetters()).toEqual([]);
  });

  it('dead-letters the alert when the worker runs out of retries', async () => {
    const memory = memoryStore();
    const dead: TestServer = await startTestServer((_req, res) => res.writeHead(500).end());
    const sub = await memory.store.create({ url: dead.url });
    const { alerts, handOver } = await setUp(memory);
    const value = alertCodec.encode(sampleAlert());
    await alerts.deliverBatch([value]);
    await handOver();
    expect(dead.requests).toHaveLength(3);
    const letters = alerts.deadLetters();
    expect(letters).toHaveLength(1);
    expect(letters[0]?.value).toEqual(value);
    expect(letters[0]?.headers).toMatchObject({ [DeadLetterHeaders.reason]: 'ALERTER_ERR_DELIVERY_FAILED', 'portent-alerter-subscription-id': sub.id, 'portent-alerter-attempts': '3' });
  });
});
