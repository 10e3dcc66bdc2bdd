/**
 * The `portent` binary (bin/portent) as a user runs it, against a real
 * broker, a real console and a real alerter on loopback.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { alertCodec, portStatsCodec } from '../../services/common/avro/codecs.ts';
import type { Alert, PortStats } from '../../services/common/avro/generated-types.ts';
import { startService, waitForHttp } from '../../tools/demo/processes.ts';
import { pickFreePort } from '../../tools/local-kafka/config.ts';
import { sampleAlert } from '../support/alerts.ts';
import { createTestTopics, serviceEnv, testBrokers, testProducer, testTransport } from '../support/kafka.ts';
import { startReceiver } from '../support/receiver.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'portent');
const MINUTE = 60_000;

interface Run { code: number | null; stdout: string; stderr: string }

function portent(args: readonly string[], env: NodeJS.ProcessEnv, until?: (stdout: string) => boolean): Promise<Run> {
  const child = spawn(BIN, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = { code: null, stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => {
    run.stdout += c.toString('utf8');
    if (until?.(run.stdout) === true) child.kill('SIGINT');
  });
  child.stderr.on('data', (c: Buffer) => (run.stderr += c.toString('utf8')));
  onTestFinished(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve) => child.once('exit', (code) => { resolve({ ...run, code }); }));
}

const lines = (text: string): unknown[] => text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as unknown);

describe('portent command line', () => {
  it('sensor --dry-run prints what a sensor would publish as NDJSON, without Kafka', async () => {
    const run = await portent(['sensor', '--dry-run', '--scenario', 'demo', '--seed', '3'], { ...process.env, KAFKA_BROKERS: '127.0.0.1:1' });
    expect(run.code).toBe(0);
    const events = lines(run.stdout) as { dstPort: number; protocol: string }[];
    expect(events.length).toBeGreaterThan(1000);
    expect(events.filter((e) => e.protocol === 'TCP' && e.dstPort === 445).length).toBeGreaterThan(500);
    expect(run.stderr).toMatch(/sensor dry run: \d+ events/);
  });

  it('shows stats, alerts (also live), topics and subscriptions from the real services', async () => {
    const transport = testTransport();
    const topics = await createTestTopics(transport);
    const dir = mkdtempSync(join(tmpdir(), 'portent-cli-'));
    onTestFinished(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const producer = await testProducer(transport);
    const now = Math.floor(Date.now() / MINUTE) * MINUTE;
    const windows: PortStats[] = [10, 12, 300, 450, 40].map((sources, i) => ({
      protocol: 'TCP', port: 445, windowStart: now - (6 - i) * MINUTE, windowEnd: now - (5 - i) * MINUTE, attempts: sources * 3, distinctSources: sources,
      distinctDestinations: 9, sensors: 2, baselineSources: 11, surging: sources > 100, newSources: 1, dscSources: 0, scanners: 2,
    }));
    await producer.send(topics.portStats, windows.map((w) => ({ key: 'tcp/445', value: portStatsCodec.encode(w) })));
    const alert: Alert = sampleAlert({ windowStart: now - 4 * MINUTE, eventTime: now - 3 * MINUTE });
    await producer.send(topics.alerts, [{ key: alert.alertId, value: alertCodec.encode(alert) }]);

    const token = randomBytes(24).toString('base64url');
    const [alerterPort, consolePort] = [await pickFreePort(), await pickFreePort()];
    const env = serviceEnv(topics);
    const alerter = startService('alerter', { ...env, PORTENT_ALERTER_HTTP_HOST: '127.0.0.1', PORTENT_ALERTER_HTTP_PORT: String(alerterPort), PORTENT_ALERTER_API_TOKENS: token, PORTENT_ALERTER_ALLOWED_CIDRS: '127.0.0.1/32' }, dir);
    const consoleService = startService('console', { ...env, PORTENT_CONSOLE_HTTP_HOST: '127.0.0.1', PORTENT_CONSOLE_HTTP_PORT: String(consolePort), PORTENT_CONSOLE_API_TOKENS: token, PORTENT_CONSOLE_DB_PATH: join(dir, 'console.sqlite'), PORTENT_CONSOLE_ALERTER_URL: `http://127.0.0.1:${alerterPort}` }, dir);
    onTestFinished(() => Promise.all([alerter.stop(), consoleService.stop()]).then(() => undefined));
    await waitForHttp(`http://127.0.0.1:${alerterPort}/readyz`, 90_000, () => true);
    await waitForHttp(`http://127.0.0.1:${consolePort}/readyz`, 90_000, () => true);
    const cli = { ...process.env, PORTENT_URL: `http://127.0.0.1:${consolePort}`, PORTENT_TOKEN: token };

    const stats = await portent(['stats', '445', '--since', '1h', '--json'], cli);
    expect((lines(stats.stdout)[0] as { series: { sources: number[] } }).series.sources).toEqual([10, 12, 300, 450, 40]);
    expect((await portent(['stats', 'tcp/445'], cli)).stdout).toContain('▁▁▆█▁');

    const shown = await portent(['alerts', 'show', alert.alertId], cli);
    expect(shown.stdout).toContain(alert.reasons[0] ?? '');

    const dump = await portent(['topic', 'dump', topics.alerts, '--brokers', testBrokers().join(',')], cli);
    expect(dump.code).toBe(0);
    expect(lines(dump.stdout)).toEqual([expect.objectContaining({ key: alert.alertId, value: expect.objectContaining({ alertId: alert.alertId, state: 'FIRING' }) as unknown })]);

    // Live: alert states published after the tail started arrive on its stdout.
    const tail = portent(['alerts', 'tail', '--port', '445', '--json'], cli, (out) => out.includes('\n'));
    // It is not known when its stream is open, so a new state is published every second until one arrives.
    let ended = false as boolean;
    void tail.then(() => (ended = true));
    for (let seq = 1; !ended; seq++) {
      await producer.send(topics.alerts, [{ key: alert.alertId, value: alertCodec.encode({ ...alert, state: 'UPDATED', sequence: seq, eventTime: alert.eventTime + seq }) }]);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(lines((await tail).stdout)[0]).toMatchObject({ alertId: alert.alertId, state: 'UPDATED' });

    // Subscriptions through the console's pass-through to the alerter.
    const receiver = await startReceiver();
    const created = lines((await portent(['subs', 'create', receiver.url, '--ports', '445', '--json'], cli)).stdout)[0] as { id: string; secret: string };
    expect(created.secret).toMatch(/^whsec_/);
    expect((await portent(['subs', 'ping', created.id, '--json'], cli)).code).toBe(0);
    expect((await receiver.waitFor(1, 30_000))[0]?.headers['webhook-id']).toBeDefined();
    await portent(['subs', 'pause', created.id], cli);
    expect(lines((await portent(['subs', '--json'], cli)).stdout)[0]).toEqual([expect.objectContaining({ id: created.id, paused: true })]);
  }, 300_000); // Two services and eleven runs of the binary, each a Node start-up, on a shared 2-core machine.
});
