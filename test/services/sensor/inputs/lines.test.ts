import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../../../services/common/avro/generated-types.ts';
import { LineSplitter } from '../../../../services/sensor/inputs/lines.ts';
import type { LineParser } from '../../../../services/sensor/inputs/lines.ts';
import { InputReport } from '../../../../services/sensor/report.ts';
import type { Where } from '../../../../services/sensor/report.ts';

/** Records each line it is given (as text, with its line number); a line "throw" throws. */
function recorder(inPlace: boolean): { parser: LineParser; seen: string[] } {
  const seen: string[] = [];
  const line = (text: string, where: Where): void => {
    if (text === 'throw') throw new Error('bad');
    seen.push(`${String(where)}:${text}`);
  };
  const parser: LineParser = inPlace
    ? {
        line,
        lineIn(text, start, end, where) {
          line(text.slice(start, end), where);
        },
      }
    : { line };
  return { parser, seen };
}

function split(inPlace: boolean, text: string, chunk: number): { seen: string[]; report: InputReport } {
  const report = new InputReport();
  const { parser, seen } = recorder(inPlace);
  const splitter = new LineSplitter(parser, report);
  const bytes = Buffer.from(text);
  const out: ConnectionEvent[] = [];
  for (let i = 0; i < bytes.length; i += chunk) out.push(...splitter.push(bytes.subarray(i, i + chunk)));
  out.push(...splitter.end());
  return { seen, report };
}

describe('line splitting', () => {
  it('gives a parser that reads lines in place the same lines, numbers and skips as one that takes strings, in any chunking', () => {
    const text = ['first', '', 'crlf\r', '\r', 'caf\u00e9 \u{1f600}', 'throw', 'x'.repeat(70 * 1024), 'after long', ' spaced ', 'last without newline'].join('\n');
    const small = split(false, text, 4096);
    // The over-long line is skipped once it fills the carry-over buffer, i.e. when it spans chunks.
    expect(small.seen).toEqual(['1:first', '3:crlf', '5:caf\u00e9 \u{1f600}', '8:after long', '9: spaced ', '10:last without newline']);
    expect(small.report.skipped()).toEqual({ 'unparsable line': 1, 'line too long': 1 });
    for (const chunk of [1, 3, 7, 64, 4096, 1 << 20]) {
      const strings = split(false, text, chunk);
      const inPlace = split(true, text, chunk);
      expect(inPlace.seen).toEqual(strings.seen);
      expect(inPlace.report.skipped()).toEqual(strings.report.skipped());
      expect(inPlace.report.examples()).toEqual(strings.report.examples());
    }
  });

  it('keeps a character whose UTF-8 bytes straddle two chunks whole', () => {
    const text = 'caf\u00e9\n\u20ac 3\n\u{1f600}\n\u00e9';
    for (const chunk of [1, 2, 3, 5]) {
      for (const inPlace of [false, true]) {
        const { seen, report } = split(inPlace, text, chunk);
        expect(seen).toEqual(['1:caf\u00e9', '2:\u20ac 3', '3:\u{1f600}', '4:\u00e9']);
        expect(report.skipped()).toEqual({});
      }
    }
  });

  it('keeps a character whole across an empty chunk', () => {
    const { parser, seen } = recorder(false);
    const splitter = new LineSplitter(parser, new InputReport());
    const bytes = Buffer.from('caf\u00e9\nok\n');
    splitter.push(bytes.subarray(0, 4));
    splitter.push(bytes.subarray(4, 4));
    splitter.push(bytes.subarray(4));
    splitter.end();
    expect(seen).toEqual(['1:caf\u00e9', '2:ok']);
  });
});
