import { describe, expect, it } from 'vitest';
import { canonicalIp } from '../../../../../services/sensor/ip.ts';
import { canonicalIpIn, hexFlagsIn } from '../../../../../services/sensor/inputs/eve/event.ts';
import { scanEve } from '../../../../../services/sensor/inputs/eve/scan.ts';
import { EveTemplates } from '../../../../../services/sensor/inputs/eve/templates.ts';
import { eveFixtureLines, expectSameAsJsonParse, seededRandom, viaJsonParse as viaJsonParseFields } from './fixture.ts';

describe('EVE lines read in place after a template matched', () => {
  it('give the events, skips and line numbers of JSON.parse for values of every kind, in any chunking, with CRLF', () => {
    const rand = seededRandom(11);
    const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)] as T;
    const ips = ['203.0.113.5', '2001:db8::1', '2001:DB8:0:0::1', '010.0.0.1', '1.2.3.256', '1.2.3', '1.2.3.4.5', '255.255.255.255', '0.0.0.0', '1..2.3', 'x', '', '1.2.3.04', '::ffff:1.2.3.4'];
    const stamps = ['2026-11-27T09:00:00.123456+0100', '2026-11-27T09:00:00Z', '2026-11-27 09:00:00', '2026-11-27T09:00:00+01:00', '2026-11-28T00:00:00.5-0530', '2026-13-27T09:00:00Z', 'yesterday', '2026-11-27T09:00:00.1234567890123Z', '2026-11-27T09:00:00+0100x'];
    const ports = ['445', '0', '65535', '65536', '-1', '1.5', '1e2', '"80"', '""', '"x"', 'null', 'true', '08'.slice(1)];
    const protos = ['"TCP"', '"tcp"', '"Tcp"', '"UDP"', '"udp"', '"uDp"', '"ICMP"', '"IPv6-ICMP"', '"6"', '"17"', '"sctp"', '"tc"', '6', 'null'];
    const flags = ['"00"', '"12"', '"14"', '"1b"', '"1B"', '"zz"', '"4"', '"012"', '""', '12', 'null'];
    const counts = ['0', '1', '25', '1.5', '-3', 'null', '"2"', 'true'];
    const lines: string[] = [];
    for (let i = 0; i < 4000; i++) {
      // Most values are good; one in five (per value) is of another kind or spelling.
      const odd = (): boolean => rand(5) === 0;
      let line = pick(eveFixtureLines)
        .replace(/"src_ip":"[^"]*"/, `"src_ip":"${odd() ? pick(ips) : `203.0.${rand(256)}.${rand(256)}`}"`)
        .replace(/"dest_ip":"[^"]*"/, `"dest_ip":"${odd() ? pick(ips) : `198.51.${rand(256)}.${rand(256)}`}"`)
        .replace(/"src_port":[^,]*/, `"src_port":${odd() ? pick(ports) : String(rand(65536))}`)
        .replace(/"dest_port":[^,]*/, `"dest_port":${odd() ? pick(ports) : String(rand(1024))}`)
        .replace(/"proto":"(TCP|UDP)"/, odd() ? `"proto":${pick(protos)}` : '"proto":"$1"')
        .replace(/"start":"[^"]*"/, `"start":"${odd() ? pick(stamps) : `2026-11-2${rand(10)}T${10 + rand(14)}:${10 + rand(50)}:00.${rand(999999)}+0100`}"`)
        .replace(/"timestamp":"[^"]*"/, `"timestamp":"${odd() ? pick(stamps) : '2026-11-27T09:00:31.000000+0100'}"`)
        .replace(/"tcp_flags_tc":[^,}]*/, `"tcp_flags_tc":${pick(flags)}`)
        .replace(/"pkts_toclient":[^,}]*/, `"pkts_toclient":${pick(counts)}`)
        .replace(/"icmp_type":[^,}]*/, `"icmp_type":${pick(['8', '0', '128', '"8"', 'null'])}`);
      // Now and then a line cut short, or with a stray quote.
      const roll = rand(50);
      if (roll === 0) line = line.slice(0, rand(line.length));
      else if (roll === 1) line = line.replace('"eth0"', '"et"h0"');
      lines.push(line);
    }
    const slow = expectSameAsJsonParse(lines, [[65536, '\n'], [4096, '\r\n'], [97, '\n'], [7, '\r\n']] as const);
    expect(slow.events.length).toBeGreaterThan(1500);
    expect(Object.keys(slow.report.skipped())).toEqual(expect.arrayContaining(['bad address', 'bad port', 'bad timestamp', 'unknown protocol', 'unparsable line']));
    // The stream must have been read mostly by templates, or this test would not test them.
    const templates = new EveTemplates();
    let matched = 0;
    for (const line of lines) {
      if (templates.read(line) !== undefined) matched++;
      else {
        const e = scanEve(line);
        if (e !== undefined) templates.learn(line, e);
      }
    }
    expect(matched).toBeGreaterThan(lines.length / 3);
  }, 60_000);

  it('test and slice addresses as canonicalIp does', () => {
    const texts = ['1.2.3.4', '01.2.3.4', '1.2.3.255', '1.2.3.256', '999.1.1.1', '1.2.3', '1.2.3.4.', '.1.2.3', '1.2..3', '0.0.0.0', '00.0.0.0', '1.2.3.1234', '2001:db8::1', '2001:0DB8::0001', '::', '1.2.3.a', ''];
    for (let n = 0; n < 3000; n++) texts.push(`${n % 300}.${(n * 7) % 260}.${n % 10}.${(n * 13) % 1000}`);
    for (const text of texts) {
      const t = `"x":"${text}","y"`;
      expect({ text, ip: canonicalIpIn(t, 5, 5 + text.length) }).toEqual({ text, ip: canonicalIp(text) });
    }
  });

  it('read TCP flags as parseInt(text, 16) does, within a longer string', () => {
    const texts = ['00', '12', '1b', '1B', 'fF', 'zz', 'g1', '1g', '4', '012', ''];
    for (const text of texts) expect({ text, flags: hexFlagsIn(`ab${text}cd`, 2, 2 + text.length) }).toEqual({ text, flags: parseInt(text, 16) });
  });
});

describe('EVE template walks', () => {
  it('find the wanted values from either end, past arrays, strings holding brackets and commas, and nested keys of the same name', () => {
    const base = eveFixtureLines[0] ?? '';
    const shapes = [
      base,
      // An array after the last wanted value: that part cannot be walked from the end.
      base.replace('"syn":true', '"syn":true,"flowbits":["a]","b,",1,null]'),
      base.replace('"in_iface":"eth0"', '"in_iface":"eth0","tags":["x","]"],"tunnel":{"src_ip":"9.9.9.9","tcp_flags_tc":"ff"}'),
      base.replace('"state":"syn_sent"', '"state":"syn_sent","extra":{"start":"x","tcp_flags_tc":"12","proto":"UDP"},"n":-1.5e3,"f":false,"z":null'),
      base.replace('"tcp":{', '"tcp":{"list":[],'),
    ];
    for (const shape of shapes) {
      const templates = new EveTemplates();
      const e = scanEve(shape);
      if (e === undefined) throw new Error(`not scanned: ${shape}`);
      templates.learn(shape, e);
      for (const [from, to] of [['51234', '7'], ['"00"', '"1b"'], ['"eth0"', '"a,]}{:b"'], ['2026-11-27T09:00:00.123456+0100', '2026-11-27T10:00:00Z'], ['"new"', '"]"']] as const) {
        const line = shape.replace(from, to);
        const read = templates.read(line);
        expect({ line, read }).toEqual({ line, read: viaJsonParseFields(line) });
      }
    }
  });
});
