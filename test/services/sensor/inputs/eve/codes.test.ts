import { describe, expect, it } from 'vitest';
import { ChunkCodes, codesOf } from '../../../../../services/sensor/inputs/eve/codes.ts';
import { scanEve } from '../../../../../services/sensor/inputs/eve/scan.ts';
import { numberAt } from '../../../../../services/sensor/inputs/eve/spans.ts';
import { numberOf } from '../../../../../services/sensor/inputs/eve/template.ts';
import { EveTemplates } from '../../../../../services/sensor/inputs/eve/templates.ts';
import { eveFixtureLines, expectSameAsJsonParse, seededRandom, viaJsonParse as viaJsonParseFields } from './fixture.ts';

const unitsOf = (t: string): number[] => Array.from({ length: t.length }, (_, i) => t.charCodeAt(i));

// Characters whose low byte is a quote, a digit, a dot, a colon or a hex letter (U+0122 '"', U+0134 '4', U+012E '.',
// U+013A ':', U+0161 'a'), full-width digits, Latin-1, a surrogate pair and lone surrogates: a reader that took
// only the low byte, or UTF-8 offsets for string offsets, would read them as something else.
const TRICKY = ['\u0122', '\u0134', '\u012e', '\u013a', '\u0161', '\uff14', '\u00e9', '\u00a0', '\u{1f600}', '\ud800', '\udc00'];

describe('EVE chunk code units', () => {
  it('hold charCodeAt of every position, for ASCII and any other string, alternating and growing', { timeout: 60_000 }, () => {
    const codes = new ChunkCodes();
    const texts = ['', 'abc', `{"a":"${TRICKY.join('')}"}`, 'x'.repeat(5000), `${'y'.repeat(3000)}\u00e9`, 'abc', `"${'\u0134'.repeat(70_000)}"`, 'z'.repeat(70_000)];
    for (let round = 0; round < 2; round++) {
      for (const t of texts) {
        expect(Array.from(codes.of(t))).toEqual(unitsOf(t));
        // Asked again for the same string (the next line of a chunk): the same units.
        expect(Array.from(codes.of(t))).toEqual(unitsOf(t));
        expect(Array.from(codesOf(t))).toEqual(unitsOf(t));
      }
    }
    expect(codes.of('plain ascii')).toBeInstanceOf(Uint8Array);
    expect(codes.of('caf\u00e9')).toBeInstanceOf(Uint16Array);
  });
});

describe('EVE lines with non-ASCII characters read in place', () => {
  it('give the events, skips and line numbers of JSON.parse, in chunks that cut characters apart', { timeout: 60_000 }, () => {
    const rand = seededRandom(5);
    const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)] as T;
    const odd = (): string => pick(TRICKY);
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      let line = pick(eveFixtureLines);
      // Mostly ASCII lines; runs of lines with other characters, in values the sensor reads or passes over.
      if (rand(4) === 0) {
        const at = rand(9);
        const spoil = (v: string): string => {
          const k = rand(v.length + 1);
          return `${v.slice(0, k)}${odd()}${v.slice(k)}`;
        };
        if (at === 0) line = line.replace(/"in_iface":"[^"]*"/, `"in_iface":"${spoil('eth0')}"`);
        else if (at === 1) line = line.replace(/"src_ip":"[^"]*"/, `"src_ip":"${spoil('203.0.113.5')}"`);
        else if (at === 2) line = line.replace(/"dest_ip":"[^"]*"/, `"dest_ip":"${spoil('198.51.100.7')}"`);
        else if (at === 3) line = line.replace(/"proto":"[^"]*"/, `"proto":"${spoil('tcp')}"`);
        else if (at === 4) line = line.replace(/"start":"[^"]*"/, `"start":"${spoil('2026-11-27T09:00:00.123456+0100')}"`);
        else if (at === 5) line = line.replace(/"tcp_flags_tc":"[^"]*"/, `"tcp_flags_tc":"${spoil('12')}"`);
        else if (at === 6) line = line.replace(/"src_port":[^,]*/, `"src_port":"${spoil('445')}"`);
        else if (at === 7) line = line.replace(/"timestamp":"[^"]*"/, `"timestamp":"${spoil('2026-11-27T09:00:31.000000+0100')}"`);
        else line = line.replace(/"state":"[^"]*"/, `"state":"${odd()}${odd()}"`);
      } else {
        line = line.replace(/"src_ip":"[^"]*"/, `"src_ip":"203.0.${rand(256)}.${rand(256)}"`).replace(/"src_port":[^,]*/, `"src_port":${rand(65536)}`);
      }
      lines.push(line);
    }
    const slow = expectSameAsJsonParse(lines, [[65536, '\n'], [4096, '\r\n'], [101, '\n'], [3, '\r\n']] as const);
    expect(slow.events.length).toBeGreaterThan(1000);
    // Templates must have matched lines with other characters, or this test would not test their units.
    const templates = new EveTemplates();
    let matched = 0;
    for (const line of lines) {
      if (templates.read(line) !== undefined) {
        if (unitsOf(line).some((u) => u > 127)) matched++;
      } else {
        const e = scanEve(line);
        if (e !== undefined) templates.learn(line, e);
      }
    }
    expect(matched).toBeGreaterThan(200);
  });
});

describe('EVE template walks skip long holes by search', () => {
  it('find the values when a hole is much shorter, longer or of another kind than in the learnt line', () => {
    const base = eveFixtureLines[0] ?? '';
    // Learnt from lines with long and with short values at the same holes.
    // A nested object whose last member is a number: the value ends at a brace, not a comma.
    const nested = base.replace('"in_iface"', '"extra":{"id":1234567890123},"in_iface"');
    const learnt = [nested.replace(/"in_iface":"[^"]*"/, '"in_iface":"a-long-interface-name"').replace(/"flow_id":[^,]*/, '"flow_id":1234567890123456'), nested.replace(/"in_iface":"[^"]*"/, '"in_iface":"e"').replace(/"flow_id":[^,]*/, '"flow_id":1').replace(/"id":[^}]*/, '"id":2')];
    for (const shape of learnt) {
      const templates = new EveTemplates();
      const e = scanEve(shape);
      if (e === undefined) throw new Error(`not scanned: ${shape}`);
      templates.learn(shape, e);
      expect(templates.read(shape)).toEqual(viaJsonParseFields(shape));
      const ifaces = ['', 'x', 'eth0', 'a-long-interface-name-that-goes-on', '\u0122\u0134', ',:}]'];
      const ids = ['0', '7', '-1', '1.5', '-2.5e-3', '12345678901234567890', '"12"', '"a,b"', 'true', 'false', 'null', '1E+2'];
      for (const iface of ifaces) {
        for (const id of ids) {
          const line = shape.replace(/"in_iface":"[^"]*"/, `"in_iface":"${iface}"`).replace(/"flow_id":[^,]*/, `"flow_id":${id}`);
          expect({ line, read: templates.read(line) }).toEqual({ line, read: viaJsonParseFields(line) });
          const inner = line.replace(/"id":[^}]*/, `"id":${id}`);
          expect({ inner, read: templates.read(inner) }).toEqual({ inner, read: viaJsonParseFields(inner) });
        }
      }
    }
  });

  it('read numbers at and past the limits of the digit sum as Number does', () => {
    const texts = ['0', '9', '65535', '65536', '999999999', '1000000000', '4294967296', '-0', '-1', '00', '08', '0.0', '1e0', '1E9', '123456789012345678901234567890', ''];
    for (const text of texts) {
      expect({ text, n: numberOf(text) }).toEqual({ text, n: Number(text) });
      // The same digits read in place from a line whose units are 16-bit (it holds a non-ASCII character elsewhere).
      const t = `\u00e9:${text},`;
      expect({ text, n: numberAt(t, codesOf(t), 2, 2 + text.length) }).toEqual({ text, n: Number(text) });
    }
  });
});
