/**
 * SIGTERM drains: real service processes, a real broker. Each service must
 * exit 0 within its drain bound (20 s, services/common/lifecycle.ts; the pods'
 * grace period is 30 s) with exactly the work it finished committed, and hand
 * the rest back to the group, so a successor picks it up.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { alerterSettings } from '../../services/alerter/config.ts';
import { alertCodec } from '../../services/common/avro/codecs.ts';
import { pickFreePort } from '../../tools/local-kafka/config.ts';
import { startService, waitForHttp } from '../../tools/demo/processes.ts';
import type { ServiceProcess } from '../../tools/demo/processes.ts';
import { sampleAlert } from '../support/alerts.ts';
import { createTestTopics, serviceEnv, testProducer, testTransport, uniqueName } from '../support/kafka.ts';
import { groupOffsets, sumCommitted, waitForOffsets } from '../support/offsets.ts';
import { publishDemoScenario } from '../support/scenario.ts';
import { testDir } from '../support/temp-dir.ts';

const DRAIN_BOUND_MS = 20_000;

async function started(service: ServiceProcess, readyUrl: string): Promise<void> {
  let alive = true;
  void service.exited.then(() => (alive = false));
  await waitForHttp(readyUrl, 90_000, () => alive);
}

/** SIGTERM, then the exit code and how long the drain took. */
async function terminate(service: ServiceProcess): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  await service.stop();
  return { code: await service.exited, ms: Date.now() - t0 };
}

function logLine(file: string, msg: string): Record<string, unknown> | undefined {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === msg);
}

describe('shutdown on SIGTERM (real processes)', () => {
  it('the detector commits exactly what it processed, exits 0 within its bound, and a successor finishes the rest', async () => {
    const transport = testTransport();
    const topics = await createTestTopics(transport);
    const groupId = uniqueName('detector');
    const logDir = testDir('drain');
    const env = { ...serviceEnv(topics), PORTENT_DETECTOR_GROUP_ID: groupId };
    const start = async (name: string): Promise<ServiceProcess> => {
      const port = await pickFreePort();
      const detector = startService('detector', { ...env, PORTENT_DETECTOR_HEALTH_PORT: String(port) }, mkdtempSync(join(logDir, name)));
      onTestFinished(() => detector.stop());
      await started(detector, `http://127.0.0.1:${port}/readyz`);
      return detector;
    };

    const first = await start('first');
    const producer = await testProducer(transport);
    const published = publishDemoScenario(producer, topics.connections);
    // Stop mid-stream: once the detector has committed some input, while the sensor still publishes.
    await waitForOffsets(groupId, topics.connections, (o) => sumCommitted(o) > 0);
    const { code, ms } = await terminate(first);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(DRAIN_BOUND_MS);
    const counters = logLine(first.logFile, 'detector stopped')?.['counters'] as { records: number } | undefined;
    const afterStop = await groupOffsets(groupId, topics.connections);
    // Every record it processed is committed, and nothing it did not process.
    expect(sumCommitted(afterStop)).toBe(counters?.records);

    await published;
    const second = await start('second');
    await waitForOffsets(groupId, topics.connections, (o) => o.every((p) => p.committed === p.end));
    expect((await terminate(second)).code).toBe(0);
  });

  it('the alerter hands an in-flight delivery back uncommitted, exits 0 within its bound, and a successor delivers it', async () => {
    const transport = testTransport();
    const topics = await createTestTopics(transport);
    const groupId = uniqueName('alerter');
    const logDir = testDir('drain');
    const token = randomBytes(24).toString('base64url');
    // A receiver that holds its first request open (the delivery in flight at SIGTERM) and answers the rest at once.
    const received: string[] = [];
    const held: ServerResponse[] = [];
    const receiver = createServer((req, res) => {
      received.push(String(req.headers['webhook-id']));
      req.resume();
      if (received.length === 1) held.push(res);
      else res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => { receiver.closeAllConnections(); receiver.close(() => { resolve(); }); }));
    const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

    const env: NodeJS.ProcessEnv = {
      ...serviceEnv(topics),
      PORTENT_ALERTER_GROUP_ID: groupId,
      PORTENT_ALERTER_API_TOKENS: token,
      PORTENT_ALERTER_HTTP_HOST: '127.0.0.1',
      PORTENT_ALERTER_DELIVERY_TIMEOUT_MS: '60000',
      // The receiver is on loopback, which the SSRF guard refuses unless allowed.
      ...('PORTENT_ALERTER_ALLOWED_CIDRS' in alerterSettings.properties ? { PORTENT_ALERTER_ALLOWED_CIDRS: '127.0.0.1/32' } : {}),
    };
    const start = async (name: string): Promise<{ alerter: ServiceProcess; api: string }> => {
      const port = await pickFreePort();
      const alerter = startService('alerter', { ...env, PORTENT_ALERTER_HTTP_PORT: String(port) }, mkdtempSync(join(logDir, name)));
      onTestFinished(() => alerter.stop());
      await started(alerter, `http://127.0.0.1:${port}/readyz`);
      return { alerter, api: `http://127.0.0.1:${port}` };
    };

    const first = await start('first');
    const res = await fetch(`${first.api}/v1/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiverUrl, ports: [445] }),
    });
    expect(res.status).toBe(201);
    const producer = await testProducer(transport);
    const alert = sampleAlert();
    await producer.send(topics.alerts, [{ key: alert.alertId, value: alertCodec.encode(alert) }]);
    const deadline = Date.now() + 60_000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(received).toHaveLength(1);

    const { code, ms } = await terminate(first.alerter);
    expect(code).toBe(0);
    expect(ms).toBeLessThan(DRAIN_BOUND_MS);
    // Not delivered, so not committed: the alert goes back to the group.
    expect(sumCommitted(await groupOffsets(groupId, topics.alerts))).toBe(0);

    const second = await start('second');
    await waitForOffsets(groupId, topics.alerts, (o) => o.every((p) => p.committed === p.end));
    // Delivered again with the same webhook-id, so a receiver that saw the first attempt drops the repeat.
    expect(received).toHaveLength(2);
    expect(received[1]).toBe(received[0]);
    expect((await terminate(second.alerter)).code).toBe(0);
  });
});
