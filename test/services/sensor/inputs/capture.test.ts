import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../../../services/common/avro/generated-types.ts';
import { SensorErrorCodes } from '../../../../services/sensor/errors.ts';
import { CaptureStream } from '../../../../services/sensor/inputs/capture.ts';
import { decodeBytes } from '../../../../services/sensor/inputs/source.ts';
import { InputReport } from '../../../../services/sensor/report.ts';
import { frame, pcapFile, pcapngFile } from '../../../support/pcap.ts';
import type { Link, TestPacket } from '../../../support/pcap.ts';
import { testDir } from '../../../support/temp-dir.ts';

const T0 = Date.parse('2026-11-27T08:00:00.250Z');

function decode(buf: Buffer, chunk = buf.length): { events: ConnectionEvent[]; report: InputReport } {
  const report = new InputReport();
  const stream = new CaptureStream(report);
  const events: ConnectionEvent[] = [];
  for (let i = 0; i < buf.length; i += chunk) events.push(...stream.push(buf.subarray(i, i + chunk)));
  events.push(...stream.end());
  return { events, report };
}

/** A scanner, a closed port, an open port, an unanswered SYN, UDP with a reply, ICMP echo. */
function traffic(v6: boolean): { packets: TestPacket[]; scanner: string; target: string } {
  const scanner = v6 ? '2001:db8:bad::5' : '203.0.113.5';
  const target = v6 ? '2001:db8:1::7' : '198.51.100.7';
  const packets: TestPacket[] = [
    { timeMs: T0, src: scanner, dst: target, proto: 'tcp', sport: 40001, dport: 445, flags: 'S' },
    { timeMs: T0 + 1, src: target, dst: scanner, proto: 'tcp', sport: 445, dport: 40001, flags: 'RA' },
    { timeMs: T0 + 2, src: scanner, dst: target, proto: 'tcp', sport: 40002, dport: 22, flags: 'S' },
    { timeMs: T0 + 3, src: scanner, dst: target, proto: 'tcp', sport: 40002, dport: 22, flags: 'S' },
    { timeMs: T0 + 4, src: target, dst: scanner, proto: 'tcp', sport: 22, dport: 40002, flags: 'SA' },
    { timeMs: T0 + 5, src: scanner, dst: target, proto: 'tcp', sport: 40002, dport: 22, flags: 'A' },
    { timeMs: T0 + 6, src: scanner, dst: target, proto: 'tcp', sport: 40003, dport: 3389, flags: 'S' },
    { timeMs: T0 + 7, src: scanner, dst: target, proto: 'udp', sport: 5353, dport: 53 },
    { timeMs: T0 + 8, src: target, dst: scanner, proto: 'udp', sport: 53, dport: 5353 },
    { timeMs: T0 + 9, src: scanner, dst: target, proto: 'icmp' },
  ];
  return { packets, scanner, target };
}

function summary(events: readonly ConnectionEvent[]): string[] {
  return events.map((e) => `${e.protocol}/${e.dstPort} ${e.outcome} ${e.srcIp}:${e.srcPort}>${e.dstIp} @${e.eventTime - T0}`).sort();
}

function expected(scanner: string, target: string): string[] {
  return [
    `ICMP/0 ATTEMPT ${scanner}:0>${target} @9`,
    `TCP/22 ESTABLISHED ${scanner}:40002>${target} @2`,
    `TCP/3389 ATTEMPT ${scanner}:40003>${target} @6`,
    `TCP/445 REJECTED ${scanner}:40001>${target} @0`,
    `UDP/53 ATTEMPT ${scanner}:5353>${target} @7`,
  ].sort();
}

describe('pcap and pcapng input', () => {
  for (const link of ['ethernet', 'sll', 'sll2', 'raw'] as Link[]) {
    for (const v6 of [false, true]) {
      it(`reads attempts and their outcomes from ${link} ${v6 ? 'IPv6' : 'IPv4'} pcap and pcapng`, () => {
        const { packets, scanner, target } = traffic(v6);
        expect(summary(decode(pcapFile(link, packets)).events)).toEqual(expected(scanner, target));
        expect(summary(decode(pcapngFile(link, packets)).events)).toEqual(expected(scanner, target));
      });
    }
  }

  it('hands events on in capture order, an attempt waiting for its answer', () => {
    const { packets } = traffic(false);
    const times = decode(pcapFile('ethernet', packets)).events.map((e) => e.eventTime - T0);
    expect(times).toEqual([0, 2, 6, 7, 9]);
  });

  it('reads nanosecond and big-endian pcap and nanosecond pcapng with the same times', () => {
    const { packets, scanner, target } = traffic(false);
    expect(summary(decode(pcapFile('ethernet', packets, { nano: true, bigEndian: true })).events)).toEqual(expected(scanner, target));
    expect(summary(decode(pcapngFile('ethernet', packets, { tsresol: 9 })).events)).toEqual(expected(scanner, target));
  });

  it('gives the same events whatever the chunk boundaries', () => {
    const { packets } = traffic(true);
    const whole = pcapngFile('sll2', packets);
    expect(summary(decode(whole, 7).events)).toEqual(summary(decode(whole).events));
    expect(summary(decode(pcapFile('ethernet', packets), 1).events)).toEqual(summary(decode(pcapFile('ethernet', packets)).events));
  });

  it('reads frames longer than the part of a chunk joined to the last one, across any boundary', () => {
    // Jumbo frames (40 kB of Ethernet padding behind the IP packet) cut by every chunk boundary.
    const { packets } = traffic(false);
    const records = packets.map((p) => {
      const f = Buffer.concat([frame('ethernet', p), Buffer.alloc(40_000)]);
      const h = Buffer.alloc(16);
      h.writeUInt32LE(Math.floor(p.timeMs / 1000), 0);
      h.writeUInt32LE((p.timeMs % 1000) * 1000, 4);
      h.writeUInt32LE(f.length, 8);
      h.writeUInt32LE(f.length, 12);
      return Buffer.concat([h, f]);
    });
    const file = Buffer.concat([pcapFile('ethernet', []), ...records]);
    for (const chunk of [file.length, 1000, 30_000, 65_536]) {
      const { events, report } = decode(file, chunk);
      expect(summary(events)).toEqual(expected('203.0.113.5', '198.51.100.7'));
      expect(report.notes).toEqual([]);
    }
  });

  it('matches each answer to its own attempt among 100,000 waiting ones', () => {
    // Enough concurrent attempts that their map keys collide: each RST must still reach its own SYN.
    const packets: TestPacket[] = [];
    const n = 100_000;
    const host = (i: number, net: number): string => `${net}.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    for (let i = 0; i < n; i++) packets.push({ timeMs: T0, src: host(i, 10), dst: host(i * 7, 192), proto: 'tcp', sport: 1024 + (i % 50_000), dport: 445, flags: 'S' });
    for (let i = 0; i < n; i += 3) packets.push({ timeMs: T0 + 1, src: host(i * 7, 192), dst: host(i, 10), proto: 'tcp', sport: 445, dport: 1024 + (i % 50_000), flags: 'RA' });
    const { events } = decode(pcapFile('raw', packets), 256 * 1024);
    const want = Array.from({ length: n }, (_, i) => `${host(i, 10)} ${i % 3 === 0 ? 'REJECTED' : 'ATTEMPT'}`);
    expect(events.map((e) => `${e.srcIp} ${e.outcome}`)).toEqual(want);
  }, 60_000);

  it('matches IPv6 answers to their own attempts, and keeps IPv4 and IPv6 attempts apart', () => {
    // IPv6 addresses are matched by a 32-bit hash of their bytes, then by their text: 20,000 waiting attempts from one /64.
    const packets: TestPacket[] = [];
    const n = 20_000;
    const host = (i: number): string => `2001:db8:0:1::${(i + 1).toString(16)}`;
    for (let i = 0; i < n; i++) packets.push({ timeMs: T0, src: host(i), dst: '2001:db8:1::7', proto: 'tcp', sport: 40000, dport: 445, flags: 'S' });
    packets.push({ timeMs: T0, src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp', sport: 40000, dport: 445, flags: 'S' });
    for (let i = 0; i < n; i += 2) packets.push({ timeMs: T0 + 1, src: '2001:db8:1::7', dst: host(i), proto: 'tcp', sport: 445, dport: 40000, flags: i % 4 === 0 ? 'RA' : 'SA' });
    const { events } = decode(pcapngFile('raw', packets), 64 * 1024);
    const want = Array.from({ length: n }, (_, i) => `${host(i)} ${i % 4 === 0 ? 'REJECTED' : i % 2 === 0 ? 'ESTABLISHED' : 'ATTEMPT'}`);
    expect(events.map((e) => `${e.srcIp} ${e.outcome}`)).toEqual([...want, '10.0.0.1 ATTEMPT']);
  }, 60_000);

  it('ends a truncated capture cleanly with a note', () => {
    const { packets } = traffic(false);
    const file = pcapFile('ethernet', packets);
    const { events, report } = decode(file.subarray(0, file.length - 10));
    // The last record (the ICMP echo) is cut: the four before it are whole.
    expect(summary(events)).toEqual(expected('203.0.113.5', '198.51.100.7').filter((e) => !e.startsWith('ICMP')));
    expect(report.notes.join()).toMatch(/truncated capture: \d+ bytes of an incomplete record after packet 9/);
  });

  it('counts frames cut short per reason with their packet number', () => {
    const good = pcapFile('raw', [{ timeMs: T0, src: '203.0.113.5', dst: '198.51.100.7', proto: 'tcp', flags: 'S' }]);
    // Re-declare the only record's captured length as 30: the TCP header is cut.
    const cut = Buffer.from(good.subarray(0, 24 + 16 + 30));
    cut.writeUInt32LE(30, 24 + 8);
    const { events, report } = decode(cut);
    expect(events).toEqual([]);
    expect(report.skipped()).toEqual({ 'truncated TCP header': 1 });
    expect(report.examples()['truncated TCP header']?.[0]?.where).toBe('packet 1');
  });

  it('reads a gzip-compressed capture from a file', async () => {
    const { packets, scanner, target } = traffic(false);
    const dir = testDir('sensor-pcap');
    const path = join(dir, 'capture.pcap.gz');
    writeFileSync(path, gzipSync(pcapFile('ethernet', packets)));
    const report = new InputReport();
    const events: ConnectionEvent[] = [];
    await decodeBytes({ file: path, follow: false, signal: new AbortController().signal }, new CaptureStream(report), report, (e) => {
      events.push(...e);
      return Promise.resolve();
    });
    expect(summary(events)).toEqual(expected(scanner, target));
    expect(report.read).toBe(5);
  });

  it('refuses data that is not a capture with an error the exit code shows', () => {
    expect(() => decode(Buffer.from('this is a text file, not a capture\n'))).toThrow(/not a pcap or pcapng capture \(first bytes 74686973\)/);
    expect(() => decode(Buffer.from('this is a text file, not a capture\n'))).toThrow(expect.objectContaining({ code: SensorErrorCodes.INPUT_WRONG_TYPE }));
    expect(() => decode(Buffer.from([0xa1, 0xb2]))).toThrow(expect.objectContaining({ code: SensorErrorCodes.INPUT_WRONG_TYPE }));
  });

  it('never throws on randomly mutated captures, but for a mutated magic number', { timeout: 60_000 }, () => {
    const { packets } = traffic(true);
    const seeds = [pcapFile('ethernet', packets), pcapngFile('sll', packets), pcapFile('sll2', traffic(false).packets)];
    let state = 42;
    const rand = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    for (let round = 0; round < 3000; round++) {
      const base = seeds[round % seeds.length] ?? Buffer.alloc(0);
      const m = Buffer.from(base);
      for (let k = 0, n = 1 + rand(8); k < n; k++) m[rand(m.length)] = rand(256);
      const cutAt = rand(4) === 0 ? rand(m.length) : m.length;
      try {
        decode(m.subarray(0, cutAt), 1 + rand(64));
      } catch (err) {
        expect(err).toMatchObject({ code: SensorErrorCodes.INPUT_WRONG_TYPE });
      }
    }
  });
});
