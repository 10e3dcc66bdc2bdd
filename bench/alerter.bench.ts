/**
 * `npm run bench -- alerter`
 *
 * 1. Throughput: signed CloudEvents webhooks (HMAC v1) from the alerter's
 *    WebhookSender (SSRF-guarded HTTP client, per-subscription lanes, every
 *    attempt written to the attempt-log topic of a real local broker) to a
 *    loopback receiver in another process; deliveries per CPU-second of the
 *    sending process = deliveries/s per core.
 * 2. Latency: a real local Kafka broker, the real alert pipeline (attempt
 *    log included); time from
 *    just before an alert record is produced to the receiver having the
 *    webhook, p50 and p99, at a steady 200 alerts/s.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pino } from 'pino';
import { AttemptLog } from '../services/alerter/delivery/attempt-log.ts';
import { FailureTracker } from '../services/alerter/delivery/failure-tracker.ts';
import { DeliveryLanes } from '../services/alerter/delivery/lanes.ts';
import { runAlertPipeline } from '../services/alerter/consumers/alert-pipeline.ts';
import { WebhookSender } from '../services/alerter/delivery/sender.ts';
import { AddressPolicy, guardedDispatcher } from '../services/alerter/delivery/ssrf.ts';
import { SubscriptionStore } from '../services/alerter/subscriptions.ts';
import { alertCodec, deliveryAttemptCodec, subscriptionCodec } from '../services/common/avro/codecs.ts';
import type { DeliveryAttempt, Subscription } from '../services/common/avro/generated-types.ts';
import { CompactedTable } from '../services/common/kafka/table.ts';
import { topicNames, topicSpecs } from '../services/common/kafka/topics.ts';
import type { TopicNames } from '../services/common/kafka/topics.ts';
import { KafkaTransport } from '../services/common/kafka/transport.ts';
import { sampleAlert } from '../test/support/alerts.ts';
import { startLocalBroker } from '../tools/local-kafka/broker.ts';
import { systemClock } from '../services/common/clock.ts';

const logger = pino({ level: 'silent' });
const policy = new AddressPolicy(['127.0.0.1/32']);
const settings = { timeoutMs: 5_000, retrySchedule: [100], maxResponseBytes: 1_024 };

type Message = { port?: number; id?: string; at?: number };

async function receiver(report: boolean): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(join(import.meta.dirname, 'alerter-receiver.ts'), [], { env: { ...process.env, REPORT: report ? '1' : '0' } });
  const port = await new Promise<number>((resolve) => {
    child.once('message', (m: Message) => { resolve(m.port ?? 0); });
  });
  return { child, url: `http://127.0.0.1:${port}/hook` };
}

async function store(url: string, count: number): Promise<SubscriptionStore> {
  const table = new CompactedTable<Subscription>((b) => subscriptionCodec.decode(b));
  const subs = new SubscriptionStore({ table, writer: { write: () => Promise.resolve() }, now: systemClock });
  for (let i = 0; i < count; i++) await subs.create({ url, ports: [445] });
  subs.markReady();
  return subs;
}

function sender(subs: SubscriptionStore, attempts?: AttemptLog): WebhookSender {
  return new WebhookSender({
    ...(attempts === undefined ? {} : { attempts }),
    settings,
    http: { dispatcher: guardedDispatcher(policy), policy },
    lanes: new DeliveryLanes({ concurrency: 64, ratePerSecond: 1e6 }, systemClock),
    now: systemClock,
    logger,
    subscriptions: subs,
    failures: new FailureTracker(86_400_000),
  });
}

async function throughput(total: number, window: number, attempts: AttemptLog): Promise<void> {
  const { child, url } = await receiver(false);
  const subs = await store(url, 16);
  const s = sender(subs, attempts);
  const list = subs.list();
  const one = async (i: number) => {
    const sub = list[i % list.length];
    if (sub === undefined) return;
    const { outcome } = await s.send(sub, sampleAlert({ alertId: `bench-${i}` }));
    if (!outcome.delivered) throw new Error(`delivery ${i} failed: ${String(outcome.status)}`);
  };
  for (let i = 0; i < 500; i++) await one(-i - 1); // warm-up: JIT, keep-alive pools
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: window }, async () => {
    while (next < total) await one(next++);
  }));
  await attempts.flush();
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(`throughput: ${total} signed deliveries in ${wall.toFixed(2)} s wall = ${(total / wall).toFixed(0)}/s; sender CPU ${cpuSeconds.toFixed(2)} s => ${(total / cpuSeconds).toFixed(0)} deliveries/s per core`);
  child.kill();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function latency(transport: KafkaTransport, topics: TopicNames, count: number, perSecond: number): Promise<void> {
  {
    const { child, url } = await receiver(true);
    const arrived = new Map<string, number>();
    child.on('message', (m: Message) => {
      if (m.id !== undefined && m.at !== undefined) arrived.set(m.id, m.at);
    });
    const subs = await store(url, 1);
    const producer = await transport.producer();
    const pipeline = await runAlertPipeline({ transport, producer, topics, subscriptions: subs, sender: sender(subs, new AttemptLog({ table: new CompactedTable<DeliveryAttempt>((b) => deliveryAttemptCodec.decode(b)), producer, topic: topics.deliveryAttempts, logger })), config: { groupId: `bench-${Date.now()}` }, logger, now: systemClock });
    const sent = new Map<string, number>();
    const acked = new Map<string, number>();
    // Warm-up until the consumer has joined and delivers.
    for (let i = 0; !arrived.has(`msg_warm-${i - 1}_0`) || i < 20; i++) {
      const a = sampleAlert({ alertId: `warm-${i}` });
      await producer.send(topics.alerts, [{ key: a.alertId, value: alertCodec.encode(a) }]);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (let i = 0; i < count; i++) {
      const a = sampleAlert({ alertId: `lat-${i}` });
      const value = alertCodec.encode(a);
      sent.set(`msg_lat-${i}_0`, performance.timeOrigin + performance.now());
      void producer.send(topics.alerts, [{ key: a.alertId, value }]).then(() => acked.set(`msg_lat-${i}_0`, performance.timeOrigin + performance.now()));
      await new Promise((resolve) => setTimeout(resolve, 1000 / perSecond));
    }
    const deadline = Date.now() + 30_000;
    while ([...sent.keys()].some((k) => !arrived.has(k)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const lat = [...sent].map(([k, t]) => (arrived.get(k) ?? NaN) - t).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
    const ack = [...sent].map(([k, t]) => (acked.get(k) ?? NaN) - t).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
    console.log(`  of which producer acknowledgement (acks=all, idempotent): p50 ${percentile(ack, 50).toFixed(1)} ms, p99 ${percentile(ack, 99).toFixed(1)} ms`);
    console.log(`latency (record produced -> webhook received, real broker, ${perSecond}/s): n=${lat.length}/${count} p50 ${percentile(lat, 50).toFixed(1)} ms, p99 ${percentile(lat, 99).toFixed(1)} ms, max ${(lat.at(-1) ?? NaN).toFixed(1)} ms`);
    await pipeline.close();
    await producer.close();
    child.kill();
  }
}

const broker = await startLocalBroker();
try {
  const transport = new KafkaTransport({ brokers: broker.brokers, clientId: 'bench', logger });
  const topics = topicNames(`bench-${Date.now()}.`);
  await transport.ensureTopics(topicSpecs(topics, 3), 1);
  const producer = await transport.producer();
  const attempts = new AttemptLog({ table: new CompactedTable<DeliveryAttempt>((b) => deliveryAttemptCodec.decode(b)), producer, topic: topics.deliveryAttempts, logger });
  await throughput(Number(process.env['BENCH_DELIVERIES'] ?? 20_000), 256, attempts);
  await producer.close();
  await latency(transport, topics, Number(process.env['BENCH_ALERTS'] ?? 2_000), 200);
} finally {
  await broker.stop();
}
process.exit(0);
