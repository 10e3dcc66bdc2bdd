/**
 * Timestamp formats found in the log inputs, parsed by hand: Date.parse does
 * not accept Suricata's "+0100" offsets or DShield's "2002-11-24 11:19:28
 * -05:00", and is slower on the hot path.
 */
const ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?\s?(Z|[+-]\d\d:?\d\d)?$/;

/** ISO 8601-like date-times; no offset means UTC. NaN if unparsable. */
export function parseIsoMs(text: string): number {
  const c = unitsOf(text);
  return (c === undefined ? undefined : fastIsoMs(c, 0, text.length)) ?? slowIsoMs(text);
}

/** parseIsoMs(t.slice(from, to)), read in place. */
export function parseIsoMsIn(t: string, from: number, to: number): number {
  const c = unitsOf(t);
  return c === undefined ? parseIsoMs(t.slice(from, to)) : parseIsoMsAt(t, c, from, to);
}

/**
 * parseIsoMs(t.slice(from, to)), read in place from `c`, the code units of
 * `t` (eve/codes.ts): the EVE input passes the offsets of a stamp in the
 * chunk, whose units in a typed array are read about twice as fast as the
 * characters of the string (README, Performance).
 */
export function parseIsoMsAt(t: string, c: Uint8Array | Uint16Array, from: number, to: number): number {
  return fastIsoMs(c, from, to) ?? slowIsoMs(t.slice(from, to));
}

/**
 * The code units of `text` in a reused array (the stamps of the other
 * inputs: a few dozen characters), or undefined when one is not ASCII:
 * the fast path reads only ASCII stamps, and a byte array keeps it to the
 * one kind of array the EVE input passes.
 */
let units = new Uint8Array(64);
function unitsOf(text: string): Uint8Array | undefined {
  const n = text.length;
  // Shorter than any stamp the fast path reads: it looks at no unit.
  if (n < 19) return units;
  if (units.length < n) units = new Uint8Array(Math.max(n, 2 * units.length));
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) return undefined;
    units[i] = c;
  }
  return units;
}

/** The digit of unit c, or NaN (an array read past its end gives undefined, also NaN). */
const digit = (c: number | undefined): number => {
  const d = (c ?? NaN) - 48;
  return d >= 0 && d <= 9 ? d : NaN;
};
const two = (c: Uint8Array | Uint16Array, i: number): number => digit(c[i]) * 10 + digit(c[i + 1]);

/**
 * The common shapes, by position (the regular expression was a third of
 * EVE parsing): "2026-11-27T08:00:00[.ffffff](Z|+0100|+01:00)", between
 * `from` and `to` of the code units `c`. Undefined for anything else, which
 * the regular expression then decides.
 */
function fastIsoMs(c: Uint8Array | Uint16Array, from: number, to: number): number | undefined {
  const len = to - from;
  if (len < 19 || c[from + 4] !== 45 || c[from + 7] !== 45 || c[from + 10] !== 84 || c[from + 13] !== 58 || c[from + 16] !== 58) return undefined;
  let i = from + 19;
  let ms = 0;
  if (c[i] === 46 && i < to) {
    let scale = 100;
    for (i++; i < to; i++) {
      const d = digit(c[i]);
      if (Number.isNaN(d)) break;
      ms += d * scale;
      scale /= 10;
    }
    ms = Math.floor(ms);
  }
  let offsetMin = 0;
  if (i < to) {
    const sign = c[i];
    if (sign === 90 && i === to - 1) offsetMin = 0;
    else if ((sign === 43 || sign === 45) && (to - i === 5 || (to - i === 6 && c[i + 3] === 58))) {
      offsetMin = (two(c, i + 1) * 60 + two(c, to - 2)) * (sign === 45 ? -1 : 1);
    } else return undefined;
  }
  // Date.UTC(y, m, d, h, mi, s, ms) is day(y, m, d) + h*3600000 + mi*60000 + s*1000 + ms (ECMA-262 MakeDate/MakeTime), the same sum.
  const day = dayMs(c, from);
  const utc = day + two(c, from + 11) * 3_600_000 + two(c, from + 14) * 60_000 + two(c, from + 17) * 1000 + ms;
  return Number.isNaN(utc) ? undefined : utc - offsetMin * 60_000;
}

/**
 * Date.UTC of the "YYYY-MM-DD" at `from` in `c`, remembered: a log holds
 * one date for a day of lines, so only the time of day is parsed per line.
 * The date is remembered as the number YYYYMMDD of its digits (NaN, never
 * equal, when one is not a digit): reading 8 digits costs less than
 * comparing text.
 */
let lastDate = NaN;
let lastDayMs = NaN;
function dayMs(c: Uint8Array | Uint16Array, from: number): number {
  const year = two(c, from) * 100 + two(c, from + 2);
  const month = two(c, from + 5);
  const date = two(c, from + 8);
  const key = (year * 100 + month) * 100 + date;
  if (key === lastDate) return lastDayMs;
  const day = Date.UTC(year, month - 1, date);
  if (!Number.isNaN(day)) {
    lastDate = key;
    lastDayMs = day;
  }
  return day;
}

function slowIsoMs(text: string): number {
  const m = ISO.exec(text);
  if (m === null) return NaN;
  const frac = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), frac);
  const off = m[8];
  if (off === undefined || off === 'Z') return utc;
  const digits = off.replace(':', '');
  const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
  return utc - (off.startsWith('-') ? -1 : 1) * minutes * 60_000;
}

/** Seconds since the epoch with a fraction, as Zeek writes "ts" (e.g. 1300475167.096535). */
export function parseEpochSecondsMs(text: string): number {
  const s = Number(text);
  return text.length === 0 || !Number.isFinite(s) ? NaN : Math.round(s * 1000);
}

const MONTHS: Readonly<Record<string, number>> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
const SYSLOG = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)/;

/**
 * The BSD syslog stamp "Nov 27 09:12:01" has no year and no zone: the year is
 * the one that puts the stamp closest before `nowMs` (a log read on 2 January
 * may hold lines from 31 December); the zone is taken as UTC.
 */
export function parseSyslogMs(text: string, nowMs: number): number {
  const m = SYSLOG.exec(text);
  if (m === null) return NaN;
  const month = MONTHS[m[1] ?? ''];
  if (month === undefined) return NaN;
  const year = new Date(nowMs).getUTCFullYear();
  const at = (y: number): number => Date.UTC(y, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
  const t = at(year);
  return t > nowMs + 86_400_000 ? at(year - 1) : t;
}
