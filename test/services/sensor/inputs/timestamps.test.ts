import { describe, expect, it } from 'vitest';
import { parseIsoMs, parseIsoMsIn } from '../../../../services/sensor/inputs/timestamps.ts';

describe('ISO timestamps', () => {
  it('read each line right while the date changes, goes back, or is invalid (the date part is remembered)', () => {
    const stamps: [string, number][] = [
      ['2026-11-27T23:59:59.999999+0000', Date.parse('2026-11-27T23:59:59.999Z')],
      ['2026-11-28T00:00:00.000001+0000', Date.parse('2026-11-28T00:00:00.000Z')],
      ['2026-11-28T00:00:01Z', Date.parse('2026-11-28T00:00:01Z')],
      ['2026-11-27T12:00:00.5+0100', Date.parse('2026-11-27T11:00:00.500Z')],
      ['2026-11-27T12:00:00-05:30', Date.parse('2026-11-27T17:30:00Z')],
      ['2026-1x-27T12:00:00Z', NaN],
      ['2026-11-27T1x:00:00Z', NaN],
      ['2024-02-29T08:00:00Z', Date.parse('2024-02-29T08:00:00Z')],
      ['2026-11-27 08:00:00', Date.parse('2026-11-27T08:00:00Z')],
      ['2026-11-27T08:00:00.123456789Z', Date.parse('2026-11-27T08:00:00.123Z')],
    ];
    for (let round = 0; round < 3; round++) for (const [text, ms] of stamps) expect({ text, ms: parseIsoMs(text) }).toEqual({ text, ms });
  });
});

describe('ISO timestamps read in place', () => {
  it('give what the sliced stamp gives, whatever text is around them', () => {
    const stamps = ['2026-11-27T23:59:59.999999+0000', '2026-11-28T00:00:01Z', '2026-11-27T12:00:00.5+0100', '2026-11-27T12:00:00-05:30', '2026-1x-27T12:00:00Z', '2026-11-27 08:00:00', '2026-11-27T08:00:00.', '2026-11-27T08:00:00+01', '2026-11-27T08:00:00Zx', '2026-11-27T08:00', '', 'x'];
    for (let round = 0; round < 2; round++) {
      for (const stamp of stamps) {
        // The characters after the stamp could continue it (a fraction, an offset): they must not be read.
        for (const after of ['"', '.5', '+0100', 'Z', '0']) {
          const t = `{"timestamp":"${stamp}${after}`;
          expect({ stamp, after, ms: parseIsoMsIn(t, 14, 14 + stamp.length) }).toEqual({ stamp, after, ms: parseIsoMs(stamp) });
        }
      }
    }
  });
});
