import { describe, expect, it } from 'vitest';
import { connectionBatchCodec } from '../../../services/common/avro/codecs.ts';
import { BatchDecoder } from '../../../services/detector/stream/batch-decoder.ts';
import { NamedSource, ScannerTable, TRACKED_BEFORE, TRACKED_NOW, UNTRACKED } from '../../../services/detector/scanners.ts';
import { hash32 } from '../../../services/detector/sketch/hash.ts';

const opts = { scannerDestinations: 3, maxTracked: 1000, destinationCap: 1024 };

/** Adds one attempt of `ip` towards `dst`, the address given as a string. */
function attempt(t: ScannerTable, ip: string, dst: string): number {
  return t.add(hash32(ip), hash32(dst), new NamedSource(ip), 0);
}

describe('ScannerTable', () => {
  it('says whether a source is tracked now, was tracked before, or cannot be tracked', () => {
    const t = new ScannerTable({ ...opts, maxTracked: 2 });
    expect(attempt(t, '192.0.2.1', 'd1')).toBe(TRACKED_NOW);
    expect(attempt(t, '192.0.2.1', 'd2')).toBe(TRACKED_BEFORE);
    expect(attempt(t, '192.0.2.2', 'd1')).toBe(TRACKED_NOW);
    expect(attempt(t, '192.0.2.3', 'd1')).toBe(UNTRACKED);
    expect(t.untracked).toBe(1);
    expect(t.top(5).map((s) => s.ip)).toEqual(['192.0.2.1', '192.0.2.2']);
  });

  it('keeps thousands of addresses, ASCII and not, exactly as they were written', () => {
    const t = new ScannerTable(opts);
    const ips = Array.from({ length: 1000 }, (_, i) => (i % 7 === 0 ? `2001:db8::${i.toString(16)}` : i % 11 === 0 ? `sensor-é-${i}` : `198.51.${i >> 8}.${i & 255}`));
    ips.forEach((ip, i) => {
      for (let d = 0; d <= i % 4; d++) attempt(t, ip, `dst-${d}`);
    });
    const top = t.top(1000);
    expect(new Set(top.map((s) => s.ip))).toEqual(new Set(ips));
    // Most destinations first, then most attempts, then the address.
    const i3 = ips.filter((_, i) => i % 4 === 3).sort();
    expect(top.slice(0, i3.length).map((s) => s.ip)).toEqual(i3);
    expect(top[0]).toEqual({ ip: i3[0], attempts: 4, destinations: 4 });
    expect(t.scanners).toBe(ips.filter((_, i) => i % 4 >= 2).length);
  });

  it('copies source addresses straight from a record\'s bytes', () => {
    const events = ['203.0.113.9', '203.0.113.9', 'fe80::ß'].map((srcIp, i) => ({ eventTime: i, protocol: 'TCP' as const, srcIp, srcPort: 1, dstIp: `198.18.0.${i}`, dstPort: 23, outcome: 'ATTEMPT' as const }));
    const batch = new BatchDecoder().decode(connectionBatchCodec.encode({ sensorId: 's', events }));
    const t = new ScannerTable(opts);
    const results = events.map((_, i) => t.add(batch.srcHash[i] ?? 0, batch.dstHash[i] ?? 0, batch, i));
    expect(results).toEqual([TRACKED_NOW, TRACKED_BEFORE, TRACKED_NOW]);
    expect(t.top(2)).toEqual([
      { ip: '203.0.113.9', attempts: 2, destinations: 2 },
      { ip: 'fe80::ß', attempts: 1, destinations: 1 },
    ]);
  });

  it('comes back from a snapshot with the same sources and tallies, and keeps growing', () => {
    const t = new ScannerTable(opts);
    for (let i = 0; i < 40; i++) for (let d = 0; d < (i % 5) + 1; d++) attempt(t, `10.0.0.${i}`, `d${d}`);
    const back = ScannerTable.restore(JSON.parse(JSON.stringify(t.snapshot())) as ReturnType<ScannerTable['snapshot']>, opts);
    expect(back.top(40)).toEqual(t.top(40));
    expect(back.scanners).toBe(t.scanners);
    // Past the restored arrays' sizes: new sources, and known ones that add destinations.
    for (let i = 0; i < 200; i++) {
      attempt(t, `10.1.${i >> 8}.${i & 255}`, 'x');
      attempt(back, `10.1.${i >> 8}.${i & 255}`, 'x');
    }
    expect(attempt(back, '10.0.0.4', 'new')).toBe(TRACKED_BEFORE);
    attempt(t, '10.0.0.4', 'new');
    expect(back.top(300)).toEqual(t.top(300));
  });

  it('merges a table of disjoint sources as if one table had seen both', () => {
    const whole = new ScannerTable(opts);
    const a = new ScannerTable(opts);
    const b = new ScannerTable(opts);
    for (let i = 0; i < 100; i++) {
      const ip = `192.0.2.${i}`;
      for (let d = 0; d < (i % 6) + 1; d++) {
        attempt(whole, ip, `d${d}`);
        attempt(i % 2 === 0 ? a : b, ip, `d${d}`);
      }
    }
    a.mergeDisjoint(b);
    expect(a.top(100)).toEqual(whole.top(100));
    expect(a.scanners).toBe(whole.scanners);
    expect(attempt(a, '192.0.2.99', 'other')).toBe(TRACKED_BEFORE);
  });
});
