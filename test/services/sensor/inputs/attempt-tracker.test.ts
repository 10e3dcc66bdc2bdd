import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../../../services/common/avro/generated-types.ts';
import { DEFAULT_TRACKING } from '../../../../services/sensor/inputs/attempt-tracker.ts';
import type { TrackingOptions } from '../../../../services/sensor/inputs/attempt-tracker.ts';
import { CaptureStream } from '../../../../services/sensor/inputs/capture.ts';
import { InputReport } from '../../../../services/sensor/report.ts';
import { pcapFile } from '../../../support/pcap.ts';
import type { TestPacket } from '../../../support/pcap.ts';

const T0 = Date.parse('2026-11-27T08:00:00Z');
const SCANNER = '203.0.113.5';
const TARGET = '198.51.100.7';

const syn = (s: number, sport = 40001, dst = TARGET): TestPacket => ({ timeMs: T0 + s * 1000, src: SCANNER, dst, proto: 'tcp', sport, dport: 445, flags: 'S' });
const answer = (s: number, flags: 'SA' | 'RA', sport = 40001): TestPacket => ({ timeMs: T0 + s * 1000, src: TARGET, dst: SCANNER, proto: 'tcp', sport: 445, dport: sport, flags });

/** The packets through a capture stream, fed one by one: the events in the order they came out, and when (after which packet). */
function track(packets: readonly TestPacket[], tracking: Partial<TrackingOptions> = {}): { events: string[]; report: InputReport } {
  const report = new InputReport();
  const stream = new CaptureStream(report, { ...DEFAULT_TRACKING, ...tracking });
  const file = pcapFile('raw', packets);
  const out: string[] = [];
  const show = (es: readonly ConnectionEvent[], after: string): void => {
    for (const e of es) out.push(`${e.srcPort} ${e.outcome} @${(e.eventTime - T0) / 1000} after ${after}`);
  };
  show(stream.push(file.subarray(0, 24)), 'header');
  let at = 24;
  packets.forEach((_, i) => {
    const len = file.readUInt32LE(at + 8);
    show(stream.push(file.subarray(at, at + 16 + len)), `packet ${i + 1}`);
    at += 16 + len;
  });
  show(stream.end(), 'end');
  return { events: out, report };
}

describe('TCP attempt tracking', () => {
  it('takes Windows SYN retransmissions (+3 s, +9 s) as one attempt, published after the answer wait', () => {
    const { events, report } = track([syn(0), syn(3), syn(9), syn(20, 40002)]);
    expect(events).toEqual(['40001 ATTEMPT @0 after packet 4', '40002 ATTEMPT @20 after end']);
    expect(report.tcp.retransmissions).toBe(2);
  });

  it("takes Linux's whole SYN schedule (+1, +3, +7, +15, +31, +63 s) as one attempt", () => {
    const { events, report } = track([0, 1, 3, 7, 15, 31, 63].map((s) => syn(s)));
    expect(events).toEqual(['40001 ATTEMPT @0 after packet 5']);
    expect(report.tcp.retransmissions).toBe(6);
  });

  it('counts a SYN of the same 4-tuple after the retransmission window as a new attempt', () => {
    const { events } = track([syn(0), syn(131)]);
    expect(events).toEqual(['40001 ATTEMPT @0 after packet 2', '40001 ATTEMPT @131 after end']);
  });

  it('takes the outcome from an answer to a retransmission within the answer wait', () => {
    const { events } = track([syn(0), syn(3), answer(3.05, 'SA'), syn(4, 40002), syn(4.5, 40002), answer(9.2, 'RA', 40002)]);
    expect(events).toEqual(['40001 ESTABLISHED @0 after packet 3', '40002 REJECTED @4 after packet 6']);
  });

  it('publishes an unanswered attempt after the answer wait, and counts a later answer without publishing it again', () => {
    const { events, report } = track([syn(0), syn(9), answer(12, 'SA')], { answerWaitMs: 5_000 });
    expect(events).toEqual(['40001 ATTEMPT @0 after packet 2']);
    expect(report.tcp).toEqual({ retransmissions: 1, lateAnswers: 1 });
  });

  it('keeps capture order: a decided attempt waits behind an undecided one', () => {
    const { events } = track([syn(0), syn(1, 40002), answer(1.1, 'RA', 40002), syn(12, 40003)]);
    expect(events).toEqual(['40001 ATTEMPT @0 after packet 4', '40002 REJECTED @1 after packet 4', '40003 ATTEMPT @12 after end']);
  });

  it('forgets the oldest 4-tuple beyond the table bound, publishing it at once', () => {
    const packets = Array.from({ length: 1500 }, (_, i) => syn(i / 1000, 10_000 + i));
    const { events } = track([...packets, syn(1.6, 10_000)], { maxTracked: 1000 });
    // The first SYNs were forgotten when the table filled: its retransmission is a new attempt.
    expect(events.filter((e) => e.startsWith('10000 '))).toEqual(['10000 ATTEMPT @0 after packet 1001', '10000 ATTEMPT @1.6 after end']);
    expect(events).toHaveLength(1501);
  });
});
