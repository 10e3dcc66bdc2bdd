/**
 * The sensor command end to end: a gzip-compressed pcapng through the CLI,
 * with destination pseudonyms, onto the connections topic of the test broker.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { connectionBatchCodec } from '../../../services/common/avro/codecs.ts';
import { BATCH_ID_HEADER } from '../../../services/sensor/delivery.ts';
import { Pseudonymizer, pseudonymKey } from '../../../services/sensor/pseudonym.ts';
import { createTestTopics, readUntil, serviceEnv, testTransport } from '../../support/kafka.ts';
import { pcapngFile } from '../../support/pcap.ts';
import type { TestPacket } from '../../support/pcap.ts';
import { testDir } from '../../support/temp-dir.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const KEY = 'integration-test-pseudonym-key';

describe('sensor command', () => {
  it('publishes a compressed capture with pseudonymised destinations, keyed and batched per port', async () => {
    const transport = testTransport();
    const names = await createTestTopics(transport);
    const t0 = Date.parse('2026-11-27T08:00:00Z');
    const packets: TestPacket[] = [];
    for (let i = 0; i < 300; i++) packets.push({ timeMs: t0 + i * 10, src: `203.0.113.${i % 50}`, dst: `198.51.100.${i % 200}`, proto: 'tcp', sport: 40000 + i, dport: i % 3 === 0 ? 445 : 22, flags: 'S' });
    packets.push({ timeMs: t0 + 5000, src: '2001:db8:bad::5', dst: '2001:db8:1::7', proto: 'icmp' });
    const dir = testDir('sensor-cli');
    const file = join(dir, 'capture.pcapng.gz');
    writeFileSync(file, gzipSync(pcapngFile('sll2', packets)));

    const child = spawn(process.execPath, [join(ROOT, 'services', 'sensor', 'main.ts'), '--input', 'pcap', '--file', file, '--sensor-id', 'cli-test', '--batch-events', '50'], {
      env: { ...serviceEnv(names), PORTENT_SENSOR_PSEUDONYM_KEY: KEY, PORTENT_SENSOR_SPOOL_DIR: join(dir, 'spool'), PORTENT_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(stderr).toContain('events read: 301, published: 301, still spooled: 0');

    const count = (rs: { value: Buffer | null }[]): number => rs.reduce((n, r) => n + (r.value === null ? 0 : connectionBatchCodec.decode(r.value).events.length), 0);
    const records = await readUntil(transport, names.connections, (rs) => count(rs) >= 301);
    const expected = new Pseudonymizer(pseudonymKey(KEY));
    const keys = new Set<string>();
    for (const r of records) {
      if (r.value === null) continue;
      const batch = connectionBatchCodec.decode(r.value);
      expect(batch.sensorId).toBe('cli-test');
      expect(batch.events.length).toBeLessThanOrEqual(50);
      expect(r.headers[BATCH_ID_HEADER]).toMatch(/^cli-test\/[0-9a-f]{8}\/\d+$/);
      for (const e of batch.events) {
        expect(r.key).toBe(`${e.protocol.toLowerCase()}/${e.dstPort}`);
        keys.add(r.key ?? '');
        expect(e.dstIp.startsWith('198.51.100.') || e.dstIp === '2001:db8:1::7').toBe(false);
      }
    }
    expect([...keys].sort()).toEqual(['icmp/0', 'tcp/22', 'tcp/445']);
    const icmp = records.flatMap((r) => (r.value === null ? [] : connectionBatchCodec.decode(r.value).events)).find((e) => e.protocol === 'ICMP');
    expect(icmp?.dstIp).toBe(expected.address('2001:db8:1::7'));
    expect(icmp?.srcIp).toBe('2001:db8:bad::5');
  });
});
