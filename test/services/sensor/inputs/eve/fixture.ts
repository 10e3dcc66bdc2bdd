/** What the EVE fast paths are checked against: the fixture's lines, and JSON.parse's reading of a line. */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { ConnectionEvent } from '../../../../../services/common/avro/generated-types.ts';
import { eveFieldsOf, eveParser } from '../../../../../services/sensor/inputs/eve/parser.ts';
import { LineSplitter } from '../../../../../services/sensor/inputs/lines.ts';
import { InputReport } from '../../../../../services/sensor/report.ts';

export const eveFixtureLines: readonly string[] = readFileSync(new URL('../../../../fixtures/sensor/eve.json', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0);

/** Reads `text` through the EVE parser in chunks of `chunk` bytes, as the file input does. */
export function decodeEve(text: string, chunk: number): { events: ConnectionEvent[]; report: InputReport } {
  const report = new InputReport();
  const splitter = new LineSplitter(eveParser(), report);
  const bytes = Buffer.from(text);
  const events: ConnectionEvent[] = [];
  for (let i = 0; i < bytes.length; i += chunk) events.push(...splitter.push(bytes.subarray(i, i + chunk)));
  events.push(...splitter.end());
  return { events, report };
}

/** A member with an escape keeps a line off the fast paths (templates, scanner): JSON.parse reads it. */
export const withEscapedMember = (line: string): string => (line.endsWith('}') ? `${line.slice(0, -1)},"note":"caf\\u00e9"}` : line);

/** The line numbers of the report's examples, per skip reason. */
export const exampleLines = (r: InputReport): Record<string, string[]> => Object.fromEntries(Object.entries(r.examples()).map(([reason, ex]) => [reason, ex.map((x) => x.where)]));

/**
 * Reads `lines` through the parser in each chunking and line ending, and
 * expects the events, skip counts and example line numbers of the same lines
 * read by JSON.parse (each line given an escaped member); returns that reading.
 */
export function expectSameAsJsonParse(lines: readonly string[], chunkings: readonly (readonly [number, string])[]): { events: ConnectionEvent[]; report: InputReport } {
  const slow = decodeEve(`${lines.map(withEscapedMember).join('\n')}\n`, 1 << 20);
  for (const [chunk, eol] of chunkings) {
    const fast = decodeEve(`${lines.join(eol)}${eol}`, chunk);
    expect(fast.events).toEqual(slow.events);
    expect(fast.report.skipped()).toEqual(slow.report.skipped());
    expect(exampleLines(fast.report)).toEqual(exampleLines(slow.report));
  }
  return slow;
}

/** The general path: what JSON.parse makes of the line, or 'throws'. */
export function viaJsonParse(line: string): ReturnType<typeof eveFieldsOf> | 'throws' {
  try {
    return eveFieldsOf(JSON.parse(line));
  } catch {
    return 'throws';
  }
}

/** A seeded generator (a linear congruential one, the C library's constants): rand(n) is 0..n-1, the same sequence for the same seed. */
export function seededRandom(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
}

/**
 * A seeded fuzzer of lines: each call changes, inserts or deletes 1 to
 * `maxEdits` characters drawn from JSON's own syntax, digits, and a few bytes
 * that must be rejected or escaped.
 */
export function lineMutator(seed: number, maxEdits: number): (line: string) => string {
  const rand = seededRandom(seed);
  const alphabet = ' \t\r\\"{}[]:,.-+eE0123456789tfnul\u00e9\u0001x';
  return (line) => {
    const chars = Array.from(line);
    for (let k = 0, n = 1 + rand(maxEdits); k < n; k++) {
      const at = rand(chars.length);
      const c = alphabet[rand(alphabet.length)] ?? ' ';
      const op = rand(3);
      if (op === 0) chars[at] = c;
      else if (op === 1) chars.splice(at, 0, c);
      else chars.splice(at, 1);
    }
    return chars.join('');
  };
}
