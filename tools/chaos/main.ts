/**
 * `npm run chaos [-- SCENARIO...]`: plays scenarios (default: worm and
 * botnet-sweep) through real detector processes on a real broker
 * (KAFKA_BROKERS, or a local one from the Apache jars), kills the detector
 * with SIGKILL three times during each, and prints one table against the
 * undisturbed run: alert states lost, sent more than once (identical), and
 * changed, and the longest takeover. Not in CI's time budget; CI runs the
 * short form, test/services/detector/stream/crash-replay.int.test.ts.
 * Target: 0 lost, 0 changed; duplicates only of identical content.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaTransport } from '../../services/common/kafka/transport.ts';
import { createLogger } from '../../services/common/logger.ts';
import { startLocalBroker } from '../local-kafka/broker.ts';
import { detectorKills } from './detector-kills.ts';
import type { KillsResult } from './detector-kills.ts';

const scenarios = process.argv.length > 2 ? process.argv.slice(2) : ['worm', 'botnet-sweep'];
const external = process.env['KAFKA_BROKERS'];
const broker = external === undefined || external === '' ? await startLocalBroker() : undefined;
const brokers = broker?.brokers ?? (external ?? '').split(',');
const transport = new KafkaTransport({ brokers, clientId: 'chaos', logger: createLogger('chaos', 'silent') });
const producer = await transport.producer();
const logDir = mkdtempSync(join(tmpdir(), 'portent-chaos-'));
const rows: KillsResult[] = [];
try {
  for (const scenario of scenarios) {
    process.stdout.write(`${scenario}: playing, with the detector killed at 30 %, 55 % and 80 % of its minutes…\n`);
    rows.push(await detectorKills({ transport, producer, brokers, scenario, logDir, killAt: [0.3, 0.55, 0.8] }));
  }
} finally {
  await producer.close();
  await broker?.stop();
  rmSync(logDir, { recursive: true, force: true });
}
const header = ['scenario', 'detector kill -9', 'alert states', 'lost', 'duplicated (identical)', 'content differs', 'longest takeover'];
process.stdout.write(`\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n`);
for (const r of rows) process.stdout.write(`| ${r.scenario} | ${r.kills} | ${r.states} | ${r.lost} | ${r.duplicated} | ${r.changed} | ${r.takeoverSeconds.toFixed(1)} s |\n`);
const failed = rows.some((r) => r.lost > 0 || r.changed > 0);
process.stdout.write(failed ? '\ntarget missed: states lost or changed\n' : '\ntarget met: nothing lost, nothing changed\n');
process.exitCode = failed ? 1 : 0;
