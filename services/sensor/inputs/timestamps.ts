/**
 * Timestamp formats found in the log inputs, parsed by hand: Date.parse does
 * not accept Suricata's "+0100" offsets or DShield's "2002-11-24 11:19:28
 * -05:00", and is slower on the hot path.
 */
const ISO = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?\s?(Z|[+-]\d\d:?\d\d)?$/;

/** ISO 8601-like date-times; no offset means UTC. NaN if unparsable. */
export function parseIsoMs(text: string): number {
  return fastIsoMs(text) ?? slowIsoMs(text);
}

const digit = (t: string, i: number): number => {
  const c = t.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
};
const two = (t: string, i: number): number => digit(t, i) * 10 + digit(t, i + 1);

/**
 * The common shapes, by character position (the regular expression was a
 * third of EVE parsing): "2026-11-27T08:00:00[.ffffff](Z|+0100|+01:00)".
 * Undefined for anything else, which the regular expression then decides.
 */
function fastIsoMs(t: string): number | undefined {
  if (t.length < 19 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(10) !== 84 || t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return undefined;
  let i = 19;
  let ms = 0;
  if (t.charCodeAt(i) === 46) {
    let scale = 100;
    for (i++; i < t.length; i++) {
      const d = digit(t, i);
      if (Number.isNaN(d)) break;
      ms += d * scale;
      scale /= 10;
    }
    ms = Math.floor(ms);
  }
  let offsetMin = 0;
  if (i < t.length) {
    const sign = t.charCodeAt(i);
    if (sign === 90 && i === t.length - 1) offsetMin = 0;
    else if ((sign === 43 || sign === 45) && (t.length - i === 5 || (t.length - i === 6 && t.charCodeAt(i + 3) === 58))) {
      offsetMin = (two(t, i + 1) * 60 + two(t, t.length - 2)) * (sign === 45 ? -1 : 1);
    } else return undefined;
  }
  // Date.UTC(y, m, d, h, mi, s, ms) is day(y, m, d) + h*3600000 + mi*60000 + s*1000 + ms (ECMA-262 MakeDate/MakeTime), the same sum.
  const day = dayMs(t);
  const utc = day + two(t, 11) * 3_600_000 + two(t, 14) * 60_000 + two(t, 17) * 1000 + ms;
  return Number.isNaN(utc) ? undefined : utc - offsetMin * 60_000;
}

/**
 * Date.UTC of the "YYYY-MM-DD" that starts `t`, remembered: a log holds
 * one date for a day of lines, so only the time of day is parsed per line.
 */
let lastDate = '';
let lastDayMs = NaN;
function dayMs(t: string): number {
  if (lastDate.length === 10 && t.startsWith(lastDate)) return lastDayMs;
  const day = Date.UTC(two(t, 0) * 100 + two(t, 2), two(t, 5) - 1, two(t, 8));
  if (!Number.isNaN(day)) {
    lastDate = t.slice(0, 10);
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
