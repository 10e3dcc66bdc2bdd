/**
 * Regression tests on captures of real traffic (test/fixtures/sensor/real,
 * sources and licence in its README). The expected figures are tshark's
 * counts of the same files, as the README gives them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../../../services/common/avro/generated-types.ts';
import { decoderFor } from '../../../../services/sensor/input.ts';
import { DEFAULT_TRACKING } from '../../../../services/sensor/inputs/attempt-tracker.ts';
import { DEFAULT_ORDER } from '../../../../services/sensor/inputs/time-order.ts';
import type { OrderOptions } from '../../../../services/sensor/inputs/time-order.ts';
import { InputReport } from '../../../../services/sensor/report.ts';

const real = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/sensor/real/${name}`, import.meta.url));
// Captures carry their own time: no decision here reads the clock.
const clock = (): number => 0;

function read(name: string, order: Partial<OrderOptions> = {}, chunk = 4096): { events: ConnectionEvent[]; report: InputReport } {
  const report = new InputReport();
  const decoder = decoderFor('pcap', report, clock, DEFAULT_TRACKING, { ...DEFAULT_ORDER, ...order });
  const buf = real(name);
  const events: ConnectionEvent[] = [];
  for (let i = 0; i < buf.length; i += chunk) events.push(...decoder.push(buf.subarray(i, i + chunk)));
  events.push(...decoder.end());
  return { events, report };
}

const targets = (events: readonly ConnectionEvent[]): string[] => events.map((e) => `${e.dstIp}:${e.dstPort}`);

describe('real captures', () => {
  it('445_scan.pcap: 9 connections for 21 SYNs (Windows retransmissions at +3 s and +9 s), as tshark counts them', () => {
    const { events, report } = read('445_scan.pcap', {}, 100);
    expect(events).toHaveLength(9);
    expect(new Set(targets(events)).size).toBe(9);
    expect(events.every((e) => e.protocol === 'TCP' && e.dstPort === 445 && e.outcome === 'ATTEMPT' && e.srcIp === '176.192.150.3')).toBe(true);
    expect(report.tcp.retransmissions).toBe(12);
  });

  it('445_scan.pcap: reports its time running backwards, with the largest step', () => {
    const { report } = read('445_scan.pcap');
    // The file runs backwards sweep by sweep from 1505072198.896 (frame 1): each of the 8 later attempts
    // is behind it by more than 10 s, the last (frame 19, 1505065948.969) by 6,249.926 s.
    expect(report.time.stepsBack).toBe(8);
    expect(report.time.largestStepBackMs).toBe(6_249_926);
  });

  it('445_scan.pcap reordered within the whole capture gives each attempt the time of its first SYN, in time order', () => {
    const { events, report } = read('445_scan.pcap', { reorderMs: 7_000_000 });
    expect(report.time.stepsBack).toBe(0);
    const times = events.map((e) => e.eventTime);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // 192.168.61.211: SYNs at 1505068833.443, +3.07 s and +9.07 s (frames 12-14).
    expect(events.find((e) => e.dstIp === '192.168.61.211')?.eventTime).toBe(1_505_068_833_443);
    expect(events).toHaveLength(9);
  });

  it('backscatter-300.pcap: SYN-ACKs and RSTs without SYNs make no TCP attempt; its 2 UDP flows do', () => {
    const { events } = read('backscatter-300.pcap');
    expect(events.map((e) => `${e.protocol} ${e.srcIp}:${e.srcPort} > ${e.dstIp}:${e.dstPort}`)).toEqual([
      'UDP 192.150.186.15:48440 > 202.229.120.98:53',
      'UDP 192.150.186.10:26699 > 202.229.120.98:53',
    ]);
  });

  it('nmap_lo-300.pcapng: a SYN scan answered by RSTs, outcomes as tshark pairs SYNs with answers', () => {
    const { events, report } = read('nmap_lo-300.pcapng');
    const outcomes: Record<string, number> = {};
    for (const e of events) outcomes[e.outcome] = (outcomes[e.outcome] ?? 0) + 1;
    expect(outcomes).toEqual({ REJECTED: 79, ESTABLISHED: 1, ATTEMPT: 1 });
    expect(report.tcp.retransmissions).toBe(0);
    expect(report.time.stepsBack).toBe(0);
  });

  it('refuses random bytes given as a capture', () => {
    const report = new InputReport();
    const decoder = decoderFor('pcap', report, clock);
    expect(() => [...decoder.push(Buffer.from('e3b0c44298fc1c149afbf4c8996fb924', 'hex')), ...decoder.end()]).toThrow(/not a pcap or pcapng capture/);
  });
});
