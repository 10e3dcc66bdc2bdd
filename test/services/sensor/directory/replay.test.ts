import { describe, expect, it, onTestFinished } from 'vitest';
import type { ConnectionEvent } from '../../../../services/common/avro/generated-types.ts';
import { systemClock } from '../../../../services/common/clock.ts';
import { replayDirectory } from '../../../../services/sensor/directory/replay.ts';
import { decoderFor } from '../../../../services/sensor/input.ts';
import { InputReport } from '../../../../services/sensor/report.ts';
import { sensorDirectory, synCapture, zeekConnLog } from '../../../support/sensor-files.ts';
import type { Probe } from '../../../support/sensor-files.ts';

const T0 = Date.parse('2026-11-27T08:00:00Z');
/** `n` probes from sensor-specific sources, one every `stepMs` from `offsetMs`. */
const probes = (net: number, n: number, stepMs: number, offsetMs = 0): Probe[] =>
  Array.from({ length: n }, (_, i) => ({ timeMs: T0 + offsetMs + i * stepMs, src: `203.0.${net}.${i % 250}`, dst: `198.51.100.${i % 200}`, port: i % 2 === 0 ? 445 : 23 }));

function directory(): string {
  const { dir, remove } = sensorDirectory({
    'edge-1.pcap': synCapture(probes(1, 300, 100)),
    'dmz.conn.log': zeekConnLog(probes(2, 200, 150, 50)),
    'lab.zeek.log.gz': zeekConnLog(probes(3, 60, 500, 7000)),
    'README.md': 'not a sensor file',
  });
  onTestFinished(remove);
  return dir;
}

async function replay(dir: string, speed: number, signal = new AbortController().signal): Promise<{ calls: { sensorId: string; events: ConnectionEvent[] }[]; report: InputReport }> {
  const report = new InputReport();
  const calls: { sensorId: string; events: ConnectionEvent[] }[] = [];
  const opts = { dir, speed, signal, clock: systemClock, decoder: (kind: 'pcap' | 'zeek' | 'eve' | 'netfilter' | 'dshield') => decoderFor(kind, report, systemClock) };
  await replayDirectory(opts, report, (sensorId) => (events) => {
    calls.push({ sensorId, events });
    return Promise.resolve();
  });
  return { calls, report };
}

describe('directory replay', () => {
  it('publishes every file under its own sensor id, pcap, Zeek and gzip alike', async () => {
    const { calls, report } = await replay(directory(), 0);
    const by = (id: string): ConnectionEvent[] => calls.filter((c) => c.sensorId === id).flatMap((c) => c.events);
    expect(by('edge-1')).toHaveLength(300);
    expect(by('dmz')).toHaveLength(200);
    expect(by('lab')).toHaveLength(60);
    expect(by('edge-1').every((e) => e.srcIp.startsWith('203.0.1.'))).toBe(true);
    expect(by('lab').every((e) => e.srcIp.startsWith('203.0.3.'))).toBe(true);
    expect(report.read).toBe(560);
    expect(report.notes.join('\n')).toContain('README.md');
  });

  it('runs every sensor on one clock: no hand-off is more than a second of event time behind one before it', async () => {
    const { calls } = await replay(directory(), 0);
    let newest = Number.NEGATIVE_INFINITY;
    for (const c of calls) {
      const times = c.events.map((e) => e.eventTime);
      expect(Math.min(...times)).toBeGreaterThanOrEqual(newest - 1000);
      newest = Math.max(newest, ...times);
    }
    // Interleaved, not file after file: the first hand-offs come from more than one sensor.
    expect(new Set(calls.slice(0, 6).map((c) => c.sensorId)).size).toBeGreaterThan(1);
  });

  it('paces the shared clock at the chosen speed and stops when aborted', async () => {
    const began = performance.now();
    const stop = new AbortController();
    const dir = directory();
    setTimeout(() => {
      stop.abort();
    }, 400);
    const { calls } = await replay(dir, 10, stop.signal);
    const last = Math.max(...calls.flatMap((c) => c.events.map((e) => e.eventTime)));
    // 37 s of data at 10x would take 3.7 s: stopped after 0.4 s, it has handed on only the first few seconds.
    expect(last - T0).toBeLessThan(20_000);
    expect(last - T0).toBeGreaterThan(1000);
    expect(performance.now() - began).toBeGreaterThanOrEqual(350);
  });
});
