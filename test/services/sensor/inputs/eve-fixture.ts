/** What the EVE fast paths are checked against: the fixture's lines, and JSON.parse's reading of a line. */
import { readFileSync } from 'node:fs';
import { eveFieldsOf } from '../../../../services/sensor/inputs/eve.ts';

export const eveFixtureLines: readonly string[] = readFileSync(new URL('../../../fixtures/sensor/eve.json', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.length > 0);

/** The general path: what JSON.parse makes of the line, or 'throws'. */
export function viaJsonParse(line: string): ReturnType<typeof eveFieldsOf> | 'throws' {
  try {
    return eveFieldsOf(JSON.parse(line));
  } catch {
    return 'throws';
  }
}

/**
 * A seeded fuzzer of lines: each call changes, inserts or deletes 1 to
 * `maxEdits` characters drawn from JSON's own syntax, digits, and a few bytes
 * that must be rejected or escaped.
 */
export function lineMutator(seed: number, maxEdits: number): (line: string) => string {
  let state = seed;
  const rand = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
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
