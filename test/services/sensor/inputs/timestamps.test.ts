import { describe, expect, it } from 'vitest';
import { codesOf } from '../../../../services/sensor/inputs/eve/codes.ts';
import { parseIsoMs, parseIsoMsAt, parseIsoMsIn } from '../../../../services/sensor/inputs/timestamps.ts';

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

describe('ISO timestamps read from code units', () => {
  it('give what the sliced stamp gives for odd offsets, fractions and dates, from 8- and 16-bit units', () => {
    const stamps: [string, number][] = [
      ['2026-11-27T09:00:00+01:00', Date.UTC(2026, 10, 27, 8)],
      ['2026-11-27T09:00:00-0130', Date.UTC(2026, 10, 27, 10, 30)],
      ['2026-11-27T09:00:00.9999999999999-14:00', Date.UTC(2026, 10, 27, 23, 0, 0, 999)],
      ['2026-11-27T09:00:00.1+00:00', Date.UTC(2026, 10, 27, 9, 0, 0, 100)],
      ['2026-11-27T09:00:00,5Z', Date.UTC(2026, 10, 27, 9, 0, 0, 500)],
      ['2026-11-27T09:00:00 Z', Date.UTC(2026, 10, 27, 9)],
      ['2026-02-29T00:00:00Z', Date.UTC(2026, 1, 29)],
      ['2026-11-27T24:00:00Z', Date.UTC(2026, 10, 28)],
      // Date.UTC takes years 0-99 as 1900-1999.
      ['0000-01-01T00:00:00Z', Date.UTC(1900, 0, 1)],
      ['2026-11-27T09:00:00+0100x', NaN],
      ['2026-11-27T09:00:00+01', NaN],
      // A dot without digits is read as no fraction (as before the stamps were read from units).
      ['2026-11-27T09:00:00.', Date.UTC(2026, 10, 27, 9)],
      ['2026-11-27T09:00', NaN],
      ['\uff12026-11-27T09:00:00Z', NaN],
      ['2026-11-27T09:00:0\u0134Z', NaN],
      ['2026-11-27T09\u013a00:00Z', NaN],
    ];
    for (const [stamp, ms] of stamps) {
      for (const before of ['"', '\u00e9"']) {
        const t = `${before}${stamp}"`;
        expect({ stamp, ms: parseIsoMsIn(t, before.length, before.length + stamp.length) }).toEqual({ stamp, ms });
        expect({ stamp, ms: parseIsoMsAt(t, codesOf(t), before.length, before.length + stamp.length) }).toEqual({ stamp, ms });
      }
      expect({ stamp, ms: parseIsoMs(stamp) }).toEqual({ stamp, ms });
    }
  });

  it('read a stamp right after a longer one (the units are copied into a reused array)', () => {
    expect(parseIsoMs('2026-11-27T09:00:00.123456789+01:00')).toBe(Date.UTC(2026, 10, 27, 8, 0, 0, 123));
    expect(parseIsoMs('2026-11-27T09:00:00')).toBe(Date.UTC(2026, 10, 27, 9));
    expect(parseIsoMs('2026-11-27T09:00:00.5')).toBe(Date.UTC(2026, 10, 27, 9, 0, 0, 500));
    expect(parseIsoMs('2026-11-27')).toBeNaN();
  });
});
