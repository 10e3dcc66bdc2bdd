import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../../../../services/common/avro/generated-types.ts';
import { eveParser } from '../../../../../services/sensor/inputs/eve/parser.ts';
import { LineSplitter } from '../../../../../services/sensor/inputs/lines.ts';
import { InputReport } from '../../../../../services/sensor/report.ts';
import { eveFixtureLines, seededRandom, withEscapedMember } from './fixture.ts';

function decode(lines: readonly string[]): { events: ConnectionEvent[]; report: InputReport } {
  const report = new InputReport();
  const splitter = new LineSplitter(eveParser(), report);
  const events = [...splitter.push(Buffer.from(`${lines.join('\n')}\n`)), ...splitter.end()];
  return { events, report };
}

describe('Suricata EVE input over a long mixed stream', () => {
  it('gives the same events, skips and skip line numbers as JSON.parse alone', () => {
    const rand = seededRandom(3);
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      let line = (eveFixtureLines[rand(eveFixtureLines.length)] ?? '')
        .replace('"src_port":51234', `"src_port":${rand(70000)}`)
        .replace('203.0.113.5', `203.0.${rand(300)}.${rand(256)}`)
        .replace('09:00:00.123456+0100', `${10 + rand(14)}:${10 + rand(50)}:00.${rand(999999)}+0100`)
        .replace('"tcp_flags_tc":"00"', `"tcp_flags_tc":"${['00', '12', '14', '1b', 'zz'][rand(5)] ?? ''}"`);
      // Now and then a line cut short, one with a stray quote, one with the wanted key in a nested object first.
      const roll = rand(40);
      if (roll === 0) line = line.slice(0, rand(line.length));
      else if (roll === 1) line = line.replace('"eth0"', '"et"h0"');
      else if (roll === 2) line = line.replace('"event_type"', '"tunnel":{"src_ip":"9.9.9.9","dest_port":1},"event_type"');
      lines.push(line);
    }
    const fast = decode(lines);
    const slow = decode(lines.map(withEscapedMember));
    expect(fast.events).toEqual(slow.events);
    expect(fast.report.skipped()).toEqual(slow.report.skipped());
    const where = (r: InputReport): Record<string, string[]> => Object.fromEntries(Object.entries(r.examples()).map(([reason, ex]) => [reason, ex.map((x) => x.where)]));
    expect(where(fast.report)).toEqual(where(slow.report));
    expect(fast.events.length).toBeGreaterThan(1000);
    expect(Object.keys(fast.report.skipped())).toEqual(expect.arrayContaining(['unparsable line', 'bad port', 'bad timestamp']));
  });

  it('reads tcp.tcp_flags_tc as parseInt(text, 16) does, for every spelling', () => {
    const base = eveFixtureLines[0] ?? '';
    const texts = ['00', '02', '12', '14', '16', '1b', '1B', 'Ff', 'fF', '4', '012', '0x12', ' 12', '12zz', 'zz', 'g1', '1g', '', '-4', '+12'];
    for (let b = 0; b < 256; b++) texts.push(b.toString(16).padStart(2, '0'), b.toString(16).toUpperCase());
    const expected = (text: string): string => {
      const flags = parseInt(text, 16);
      return (flags & 0x12) === 0x12 ? 'ESTABLISHED' : (flags & 0x04) !== 0 ? 'REJECTED' : 'ATTEMPT';
    };
    const lines = texts.map((text) => base.replace('"tcp_flags_tc":"00"', `"tcp_flags_tc":"${text}"`));
    expect(decode(lines).events.map((e) => e.outcome)).toEqual(texts.map(expected));
  });
});
