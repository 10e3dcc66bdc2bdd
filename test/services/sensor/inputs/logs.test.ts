import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../../../services/common/avro/generated-types.ts';
import { SensorErrorCodes } from '../../../../services/sensor/errors.ts';
import { MID_STREAM } from '../../../../services/sensor/inputs/eve/event.ts';
import { decoderFor } from '../../../../services/sensor/input.ts';
import { LineSplitter } from '../../../../services/sensor/inputs/lines.ts';
import { netfilterParser } from '../../../../services/sensor/inputs/netfilter.ts';
import { InputReport } from '../../../../services/sensor/report.ts';
import { expectSameAsJsonParse } from './eve/fixture.ts';

const T0 = Date.parse('2026-11-27T08:00:00Z');
const fixture = (name: string): Buffer => readFileSync(new URL(`../../../fixtures/sensor/${name}`, import.meta.url));

function decodeWith(make: (r: InputReport) => { push(b: Buffer): ConnectionEvent[]; end(): ConnectionEvent[] }, buf: Buffer, chunk = buf.length): { events: ConnectionEvent[]; report: InputReport } {
  const report = new InputReport();
  const d = make(report);
  const events: ConnectionEvent[] = [];
  for (let i = 0; i < buf.length; i += chunk) events.push(...d.push(buf.subarray(i, i + chunk)));
  events.push(...d.end());
  return { events, report };
}

const decode = (kind: 'zeek' | 'eve' | 'dshield', buf: Buffer, chunk?: number): { events: ConnectionEvent[]; report: InputReport } =>
  decodeWith((r) => decoderFor(kind, r, () => T0), buf, chunk);
// Syslog stamps carry no year: read them as if on the day of the fixture.
const decodeNetfilter = (buf: Buffer): { events: ConnectionEvent[]; report: InputReport } =>
  decodeWith((r) => new LineSplitter(netfilterParser(() => T0 + 3_600_000), r), buf);

const summary = (events: readonly ConnectionEvent[]): string[] =>
  events.map((e) => `${e.protocol}/${e.dstPort} ${e.outcome} ${e.srcIp}:${e.srcPort}>${e.dstIp} @${e.eventTime - T0}`);

describe('Zeek conn.log input', () => {
  it('reads TSV by its #fields header, with outcomes from conn_state', () => {
    const { events, report } = decode('zeek', fixture('zeek-conn.log'));
    expect(summary(events)).toEqual([
      'TCP/445 ATTEMPT 203.0.113.5:51234>198.51.100.7 @123',
      'TCP/23 REJECTED 203.0.113.9:40112>198.51.100.8 @500',
      'TCP/22 ESTABLISHED 192.0.2.44:55001>198.51.100.10 @1250',
      'TCP/3389 ATTEMPT 2001:db8:bad::5:33000>2001:db8:1::7 @2000',
      'ICMP/0 UNKNOWN 203.0.113.5:0>198.51.100.7 @2760',
      'UDP/53 ATTEMPT 203.0.113.77:5353>198.51.100.7 @3000',
    ]);
    expect(report.skipped()).toEqual({ 'bad timestamp': 1, 'bad address': 1, 'bad port': 1 });
    expect(report.examples()['bad timestamp']?.[0]?.where).toBe('line 16');
    expect(report.read).toBe(6);
  });

  it('reads JSON lines with epoch or ISO timestamps, and skips what it cannot read', () => {
    const { events, report } = decode('zeek', fixture('zeek-conn.json'));
    expect(summary(events)).toEqual([
      'TCP/445 ATTEMPT 203.0.113.5:51234>198.51.100.7 @123',
      'TCP/23 REJECTED 203.0.113.9:40112>198.51.100.8 @500',
      'TCP/22 ESTABLISHED 192.0.2.44:55001>198.51.100.10 @1250',
      'TCP/3389 ATTEMPT 2001:db8:bad::5:33000>2001:db8:1::7 @2000',
      'UDP/53 ATTEMPT 203.0.113.77:5353>198.51.100.7 @3000',
    ]);
    expect(report.skipped()).toEqual({ 'unknown protocol': 1, 'unparsable line': 1 });
    expect(report.examples()['unparsable line']?.[0]?.where).toBe('line 7');
  });
});

describe('Zeek conn.log TSV header and columns', () => {
  it('honours #separator (escaped), #empty_field and #unset_field, and skips lines whose column count differs from #fields', () => {
    const { events, report } = decode('zeek', fixture('zeek-conn-variants.log'));
    expect(summary(events)).toEqual([
      'TCP/445 ATTEMPT 203.0.113.5:51234>198.51.100.7 @123',
      'TCP/23 REJECTED 203.0.113.9:40112>198.51.100.8 @500',
      'TCP/8080 UNKNOWN 203.0.113.5:51300>198.51.100.9 @4000',
    ]);
    // Missing service, missing uid, an extra column: none published, none called "unknown protocol".
    expect(report.skipped()).toEqual({ 'wrong number of columns': 3 });
    expect(report.examples()['wrong number of columns']?.map((x) => x.where)).toEqual(['line 10', 'line 11', 'line 12']);
  });

  it('skips a tab-separated line with a missing column under the default header', () => {
    const text = fixture('zeek-conn.log').toString().replace('\t-\t0.000223\t', '\t0.000223\t');
    const { events, report } = decode('zeek', Buffer.from(text));
    expect(summary(events).some((e) => e.startsWith('TCP/23 '))).toBe(false);
    expect(report.skipped()['wrong number of columns']).toBe(1);
  });
});

describe('Suricata EVE input', () => {
  it('reads flow and alert events, with the flow start as event time and outcomes from the server flags', () => {
    const { events, report } = decode('eve', fixture('eve.json'));
    expect(summary(events)).toEqual([
      'TCP/445 ATTEMPT 203.0.113.5:51234>198.51.100.7 @123',
      'TCP/23 REJECTED 203.0.113.9:40112>198.51.100.8 @500',
      'TCP/22 ESTABLISHED 192.0.2.44:55001>198.51.100.10 @1250',
      'TCP/3389 UNKNOWN 2001:db8:bad::5:33000>2001:db8:1::7 @2000',
      'ICMP/0 ESTABLISHED 203.0.113.5:0>198.51.100.7 @2760',
      'UDP/53 ATTEMPT 203.0.113.77:5353>198.51.100.7 @3000',
    ]);
    expect(report.skipped()).toEqual({ 'bad timestamp': 1, 'bad port': 1, 'unparsable line': 1 });
    expect(report.examples()['bad port']?.[0]?.where).toBe('line 10');
  });
});

describe('Suricata EVE TCP flows and the client SYN', () => {
  it('skips flows picked up mid-stream with their own reason, and takes outcomes from the server flags', () => {
    const { events, report } = decode('eve', fixture('eve-midstream.json'));
    expect(summary(events)).toEqual([
      'TCP/443 ESTABLISHED 172.18.0.2:45020>140.82.121.4 @1000',
      'TCP/445 ATTEMPT 203.0.113.5:51234>172.18.0.2 @2000',
      'TCP/23 REJECTED 203.0.113.5:51240>172.18.0.2 @3000',
      'TCP/8080 ESTABLISHED 203.0.113.5:51242>172.18.0.2 @4000',
    ]);
    // The reversed 104.244.42.65:443 -> 172.18.0.2:33456 is not an attempt on tcp/33456.
    expect(report.skipped()).toEqual({ [MID_STREAM]: 3 });
    expect(report.examples()[MID_STREAM]?.map((x) => x.where)).toEqual(['line 1', 'line 2', 'line 7']);
  });

  it('reads mid-stream flows the same on the fast paths as with JSON.parse', () => {
    expectSameAsJsonParse(fixture('eve-midstream.json').toString().split('\n').filter((l) => l.length > 0), [[1 << 20, '\n'], [7, '\r\n']]);
  });
});

describe('Suricata EVE fast path', () => {
  it('reads the same events as full JSON parsing', () => {
    // A field with an escape sends a line down the JSON.parse path: both paths must agree.
    const escaped = fixture('eve.json')
      .toString()
      .split('\n')
      .map((l) => (l.endsWith('}') ? `${l.slice(0, -1)},"note":"caf\\u00e9"}` : l))
      .join('\n');
    const fast = decode('eve', fixture('eve.json'));
    const slow = decode('eve', Buffer.from(escaped));
    expect(summary(slow.events)).toEqual(summary(fast.events));
    expect(slow.report.skipped()).toEqual(fast.report.skipped());
  });
});

describe('netfilter LOG input', () => {
  it('reads ufw, iptables and nftables lines, passes over non-SYN packets, counts other lines', () => {
    const { events, report } = decodeNetfilter(fixture('netfilter.log'));
    expect(summary(events)).toEqual([
      'TCP/445 REJECTED 203.0.113.5:51234>198.51.100.7 @0',
      'TCP/22 ATTEMPT 192.0.2.44:55001>198.51.100.10 @0',
      'TCP/3389 REJECTED 2001:db8:bad::5:33000>2001:db8:1::7 @1250',
      'ICMP/0 ATTEMPT 203.0.113.5:0>198.51.100.7 @2000',
      'UDP/53 REJECTED 203.0.113.77:5353>198.51.100.7 @3000',
    ]);
    expect(report.skipped()).toEqual({ 'not a netfilter LOG line': 1, 'bad address': 1 });
    expect(report.examples()['bad address']?.[0]?.where).toBe('line 8');
  });
});

describe('DShield input', () => {
  it('reads tab-separated lines with offsets and counts, and skips malformed ones', () => {
    const { events, report } = decode('dshield', fixture('dshield.log'));
    expect(summary(events)).toEqual([
      'TCP/445 ATTEMPT 203.0.113.5:51234>198.51.100.7 @0',
      'TCP/23 ATTEMPT 203.0.113.9:40112>198.51.100.8 @1000',
      'TCP/23 ATTEMPT 203.0.113.9:40112>198.51.100.8 @1000',
      'TCP/23 ATTEMPT 203.0.113.9:40112>198.51.100.8 @1000',
      'ICMP/0 ATTEMPT 203.0.113.5:0>198.51.100.7 @2000',
      'UDP/53 ATTEMPT 203.0.113.77:5353>198.51.100.7 @3000',
    ]);
    expect(report.skipped()).toEqual({ 'too few fields': 1, 'bad timestamp': 1 });
    expect(report.examples()['too few fields']?.[0]?.where).toBe('line 7');
  });
});

describe('line inputs', () => {
  it('give the same events whatever the chunk boundaries', () => {
    const whole = summary(decode('eve', fixture('eve.json')).events);
    expect(summary(decode('eve', fixture('eve.json'), 13).events)).toEqual(whole);
    expect(summary(decode('zeek', fixture('zeek-conn.log'), 1).events)).toEqual(summary(decode('zeek', fixture('zeek-conn.log')).events));
  });

  it('never throw on randomly mutated lines, but for input none of whose lines is of the format', () => {
    const seeds: [('zeek' | 'eve' | 'dshield' | 'netfilter'), Buffer][] = [
      ['zeek', fixture('zeek-conn.log')],
      ['zeek', fixture('zeek-conn.json')],
      ['eve', fixture('eve.json')],
      ['dshield', fixture('dshield.log')],
      ['netfilter', fixture('netfilter.log')],
    ];
    let state = 7;
    const rand = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    const alphabet = Buffer.from('\t\n :.,{}[]"-+0123456789abcdefSYNACK=\u00ff\u0000');
    for (let round = 0; round < 2000; round++) {
      const [kind, base] = seeds[round % seeds.length] ?? ['eve', Buffer.alloc(0)];
      const m = Buffer.from(base);
      for (let k = 0, n = 1 + rand(10); k < n; k++) m[rand(m.length)] = alphabet[rand(alphabet.length)] ?? 0;
      try {
        if (kind === 'netfilter') decodeNetfilter(m);
        else decode(kind, m, 1 + rand(200));
      } catch (err) {
        // A mutated #fields header leaves no line readable.
        expect(err).toMatchObject({ code: SensorErrorCodes.INPUT_WRONG_TYPE });
      }
    }
  }, 60_000);
});
