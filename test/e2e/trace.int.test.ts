/**
 * One event batch's trace, end to end, with an in-memory span exporter: the
 * sensor's pipeline publishes the demo scenario to the real broker, the
 * detector's pipeline raises the tcp/445 alert, and the alerter's pipeline
 * delivers it to a real HTTP receiver on loopback. The three run in this
 * process so that one exporter sees every span; the Kafka records, headers
 * and HTTP request between them are real.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { runAlertPipeline } from '../../services/alerter/consumers/alert-pipeline.ts';
import { WebhookSender } from '../../services/alerter/delivery/sender.ts';
import { startTelemetry } from '../../services/common/telemetry/sdk.ts';
import type { Telemetry } from '../../services/common/telemetry/sdk.ts';
import { loadDetectorConfig } from '../../services/detector/config.ts';
import { startDetectorPipeline } from '../../services/detector/stream/pipeline.ts';
import { Delivery } from '../../services/sensor/delivery.ts';
import { SensorMetrics } from '../../services/sensor/metrics.ts';
import { Pipeline } from '../../services/sensor/pipeline.ts';
import { replayScenario } from '../../services/sensor/scenarios/play.ts';
import { InputReport } from '../../services/sensor/report.ts';
import { SCENARIOS } from '../../services/sensor/scenarios/generate.ts';
import { Spool } from '../../services/sensor/spool.ts';
import { loopbackHttp, memoryStore } from '../services/alerter/fixtures.ts';
import { createTestTopics, quietLogger, testBrokers, testProducer, testTransport, uniqueName } from '../support/kafka.ts';
import { startReceiver } from '../support/receiver.ts';
import { DEMO_START } from '../support/scenario.ts';
import { systemClock } from '../../services/common/clock.ts';

const exporter = new InMemorySpanExporter();
let telemetry: Telemetry;

beforeAll(() => {
  // Every batch traced (ratio 1): the test follows whichever batch raised the alert.
  telemetry = startTelemetry({ service: 'portent-test', tracesEndpoint: undefined, sampleRatio: 1, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
});
afterAll(() => telemetry.shutdown());

describe('tracing (real broker, real receiver)', () => {
  it('follows one event batch from the sensor through Kafka headers to the detector alert and the webhook delivery', async () => {
    const transport = testTransport();
    const topics = await createTestTopics(transport);
    const producer = await testProducer(transport);

    const receiver = await startReceiver();
    const subscriptions = memoryStore();
    await subscriptions.store.create({ url: receiver.url, ports: [445] });
    const sender = new WebhookSender({ settings: { timeoutMs: 5_000, retrySchedule: [], maxResponseBytes: 1_024 }, http: loopbackHttp(), logger: quietLogger, subscriptions: subscriptions.store, now: subscriptions.clock });
    const alerter = await runAlertPipeline({ transport, producer, topics, subscriptions: subscriptions.store, sender, config: { groupId: uniqueName('alerter') }, logger: quietLogger, now: subscriptions.clock });
    onTestFinished(() => alerter.close());
    const detector = startDetectorPipeline({ transport, producer, topics, config: { ...loadDetectorConfig({}), groupId: uniqueName('detector') }, logger: quietLogger, now: systemClock });
    onTestFinished(() => detector.close());

    // The sensor's own batching, Avro encoding, delivery and span creation, replaying the demo scenario.
    const spoolDir = mkdtempSync(join(tmpdir(), 'portent-trace-spool-'));
    onTestFinished(() => {
      rmSync(spoolDir, { recursive: true, force: true });
    });
    const metrics = new SensorMetrics(new InputReport());
    const delivery = new Delivery({
      connect: () => testProducer(transport),
      kafka: { brokers: testBrokers() },
      onRefused: (err) => {
        throw err;
      },
      topic: topics.connections,
      spool: new Spool({ dir: spoolDir, maxBytes: 2 ** 26 }),
      metrics,
      logger: quietLogger,
    });
    const sensor = new Pipeline({ sensorId: 'trace-sensor', batchEvents: 500, pseudonymizer: undefined, publish: (records) => delivery.publish(records) });
    const scenario = SCENARIOS['demo'];
    if (scenario === undefined) throw new Error('demo scenario missing');
    await replayScenario({ scenario, seed: 1, startMs: DEMO_START, speed: 0, publish: (events) => sensor.add(events) });
    await sensor.close();
    await delivery.close(10_000);
    expect(metrics.snapshot().eventsPublished).toBeGreaterThan(0);

    const [webhook] = await receiver.waitFor(1, 90_000);
    const traceparent = webhook?.headers['traceparent'];
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const [, traceId, postSpanId] = String(traceparent).split('-');

    // The webhook's trace, from the exporter: sensor publish -> detector ingest -> alerter deliver -> HTTP POST.
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const byName = (name: string): ReadableSpan => {
      const found = spans.find((s) => s.name === name);
      if (found === undefined) throw new Error(`no span "${name}" in trace ${traceId}: ${spans.map((s) => s.name).join(', ')}`);
      return found;
    };
    const publish = byName('portent.sensor publish');
    const ingest = byName('portent.detector ingest');
    const deliver = byName('portent.alerter deliver alert');
    const post = byName('portent.alerter webhook POST');
    expect(publish.kind).toBe(SpanKind.PRODUCER);
    expect(publish.parentSpanContext).toBeUndefined();
    expect(ingest.kind).toBe(SpanKind.CONSUMER);
    expect(ingest.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
    expect(ingest.attributes['messaging.destination.name']).toBe(topics.connections);
    expect(deliver.kind).toBe(SpanKind.CONSUMER);
    expect(deliver.parentSpanContext?.spanId).toBe(ingest.spanContext().spanId);
    expect(post.kind).toBe(SpanKind.CLIENT);
    expect(post.parentSpanContext?.spanId).toBe(deliver.spanContext().spanId);
    expect(post.spanContext().spanId).toBe(postSpanId);
    expect(post.attributes['http.response.status_code']).toBe(204);
    expect(publish.attributes['portent.port_key']).toBe('tcp/445');
  });
});
