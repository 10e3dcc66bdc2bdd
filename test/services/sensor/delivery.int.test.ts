/**
 * Sends that the broker would refuse as too large. The broker takes at most
 * message.max.bytes (1 MiB by default) per record batch, and one send's
 * records for one partition form one batch: a sensor's backlog on a hot port
 * (every record keyed tcp/445) once went out 200 records (~4 MB) at a time,
 * the broker refused each attempt, and the spool never drained.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { Delivery } from '../../../services/sensor/delivery.ts';
import { SensorMetrics } from '../../../services/sensor/metrics.ts';
import { InputReport } from '../../../services/sensor/report.ts';
import { Spool } from '../../../services/sensor/spool.ts';
import type { SpooledRecord } from '../../../services/sensor/spool.ts';
import { createTestTopics, quietLogger, readUntil, testBrokers, testTransport } from '../../support/kafka.ts';
import { testDir } from '../../support/temp-dir.ts';

/** `n` records of ~20 KB (about a full 500-event batch), all for one port, with ids run-i. */
function hotPortRecords(run: string, n: number): SpooledRecord[] {
  return Array.from({ length: n }, (_, i) => ({ key: 'tcp/445', id: `${run}-${i}`, value: Buffer.alloc(20_000, i % 256), events: 500 }));
}

function deliveryTo(topic: string, backlog: readonly SpooledRecord[] = []): { delivery: Delivery; spool: Spool; metrics: SensorMetrics } {
  const transport = testTransport();
  const spool = new Spool({ dir: testDir('delivery'), maxBytes: 256 * 1024 * 1024 });
  // What an outage leaves behind: the spool holds the backlog when delivery starts.
  spool.append(backlog);
  const metrics = new SensorMetrics(new InputReport());
  const delivery = new Delivery({
    connect: () => transport.producer({ retries: 2, maxRetryTimeMs: 500 }),
    kafka: { brokers: testBrokers() },
    onRefused: (err) => {
      throw err;
    },
    topic,
    spool,
    metrics,
    logger: quietLogger,
  });
  onTestFinished(() => delivery.close(0));
  return { delivery, spool, metrics };
}

async function until(what: string, done: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('sensor delivery of large backlogs', () => {
  it('drains a spooled backlog on one hot port (~2.4 MB, one partition) and delivers each record once, in order', async () => {
    const transport = testTransport();
    const topics = await createTestTopics(transport, 3);
    const backlog = hotPortRecords('outage', 120);
    const { spool, metrics } = deliveryTo(topics.connections, backlog);
    await until('the spool to drain', () => spool.isEmpty());
    const records = await readUntil(transport, topics.connections, (r) => r.length >= backlog.length);
    expect(records.map((r) => r.headers['portent-batch-id'])).toEqual(backlog.map((r) => r.id));
    expect(metrics.recordsPublished).toBe(backlog.length);
  });

  it('publishes one large flush on one hot port without spooling it', async () => {
    const transport = testTransport();
    const topics = await createTestTopics(transport, 3);
    const { delivery, spool, metrics } = deliveryTo(topics.connections);
    const flush = hotPortRecords('live', 120);
    await delivery.publish(flush);
    expect(spool.isEmpty()).toBe(true);
    expect(metrics.brokerUp).toBe(true);
    const records = await readUntil(transport, topics.connections, (r) => r.length >= flush.length);
    expect(records.map((r) => r.headers['portent-batch-id'])).toEqual(flush.map((r) => r.id));
  });
});
