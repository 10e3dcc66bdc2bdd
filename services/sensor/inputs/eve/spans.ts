/**
 * The wanted values of an EVE line that a template (template.ts) has
 * matched, found by offset in the string that holds the line (the chunk's
 * string, see lines.ts LineParser.lineIn) instead of by capture groups.
 *
 * A capture group costs a slot in a match array and a string per value;
 * most values are not wanted as strings at all (ports and counts are
 * numbers, the time stamp is parsed, the protocol compared). Once the
 * template's expression has matched, the line is valid JSON of the
 * template's shape with no escapes, and its values are found by walking
 * along the template (SpanSource.walk). Only the values that must become
 * strings (addresses) are sliced, by the caller.
 */
import type { Codes } from './codes.ts';
import type { EveFields } from './scan.ts';
import { noFields, store } from './scan.ts';

/** The kind of a wanted hole: a string, a number, or true/false/null (read as null). */
export const STRING_KIND = 0;
export const NUMBER_KIND = 1;
export const LITERAL_KIND = 2;
export type Kind = typeof STRING_KIND | typeof NUMBER_KIND | typeof LITERAL_KIND;
/** A field the line does not have. */
export const ABSENT = -1;
/** Field ids are below this (scan.ts fieldOf). */
const FIELDS = 15;

/** A wanted hole: its field id (scan.ts fieldOf) and the kind of value the template takes there. */
export interface Wanted {
  readonly field: number;
  readonly kind: Kind;
}

/**
 * The way through a line the template matched to its wanted values, from
 * the start (`walk`) and from the end (`back`), whichever passes fewer
 * holes (planWalk): Suricata puts a wanted member, tcp.tcp_flags_tc, near
 * the end of a flow line. `walk` is triples (length of the literal text
 * before a hole, field id or 0, the first character of the literal text
 * after it or 0), `back` pairs (length of the literal text after a hole,
 * field id or 0) from the last hole backwards. Literal text is skipped by
 * its length, a hole by its first (last) character: a string to its other
 * quote (it holds no escaped quote); true and null are 4 characters, false
 * 5; an array of scalars to its "]" (not walked backwards); anything else
 * is a number, which ends where the literal text after it starts (a comma,
 * brace, bracket or space: never part of a number). Walking by the
 * template, nothing in a value can be taken for a key: a nested object
 * with the same key names is just literal text.
 *
 * Going forwards, a hole whose value in the template's line was long (a
 * time stamp, an address, a flow id) is skipped with String#indexOf for its
 * end, a short one unit by unit: indexOf searches natively (~25 ns for a
 * 31-character stamp against ~95 ns unit by unit, on this machine) but
 * costs a call (~17 ns even for 4 characters). The third number of a
 * triple is 0 for a short hole.
 */
export interface SpanSource {
  readonly walk: Int32Array;
  readonly back: Int32Array;
  /** The wanted holes, in line order. */
  readonly wanted: readonly Wanted[];
  readonly eventType: string;
}

/**
 * Per field id (scan.ts fieldOf, 1..14): the kind of its value (ABSENT
 * if the line has none), where its text is (a string's contents, without
 * the quotes) and, for a number, its value. Numbers only, so one reused
 * object costs no write barrier per line.
 */
export class Spans {
  readonly kind = new Int8Array(FIELDS);
  readonly from = new Int32Array(FIELDS);
  readonly to = new Int32Array(FIELDS);
  readonly num = new Float64Array(FIELDS);
}

const isNumberChar = (c: number): boolean => (c >= 48 && c <= 57) || c === 46 || c === 45 || c === 43 || c === 101 || c === 69;

/**
 * The wanted values of the line t.slice(start, end), which the template
 * `tp` has matched, into `s`; `c` holds the code units of `t` (codes.ts),
 * which are read instead of t's characters. The match has checked every
 * character, so the walk checks none.
 */
export function spansOf(tp: SpanSource, t: string, c: Codes, start: number, end: number, s: Spans): Spans {
  const kind = s.kind;
  for (let f = 0; f < FIELDS; f++) kind[f] = ABSENT;
  const walk = tp.walk;
  let p = start;
  for (let k = 0; k < walk.length; k += 3) {
    p += walk[k] ?? 0;
    const first = c[p] ?? 0;
    const after = walk[k + 2] ?? 0;
    let to: number;
    if (first === 34) {
      if (after !== 0) to = t.indexOf('"', p + 1) + 1;
      else for (to = p + 1; c[to++] !== 34; );
    } else if (first === 116 || first === 110) to = p + 4;
    else if (first === 102) to = p + 5;
    else if (first === 91) to = arrayEnd(c, p);
    else if (after !== 0) to = t.indexOf(CHARACTER[after] ?? '', p + 1);
    else for (to = p + 1; isNumberChar(c[to] ?? 0); to++);
    const f = walk[k + 1] ?? 0;
    if (f !== 0) put(t, c, s, f, first, p, to);
    p = to;
  }
  const back = tp.back;
  p = end;
  for (let k = 0; k < back.length; k += 2) {
    p -= back[k] ?? 0;
    const last = c[p - 1] ?? 0;
    let from: number;
    // lastIndexOf is not a fast built-in (a runtime call per use); strings near a line's end are short.
    if (last === 34) for (from = p - 2; c[from] !== 34; from--);
    else if (last === 108) from = p - 4;
    else if (last === 101) from = c[p - 4] === 116 ? p - 4 : p - 5;
    // A number: the literal text before a value ends in ":" or a space.
    else for (from = p - 1; isNumberChar(c[from - 1] ?? 0); from--);
    const f = back[k + 1] ?? 0;
    if (f !== 0) put(t, c, s, f, c[from] ?? 0, from, p);
    p = from;
  }
  return s;
}

/** Records field `f`, whose value (first unit `first`) spans from..to. */
function put(t: string, c: Codes, s: Spans, f: number, first: number, from: number, to: number): void {
  if (first === 34) {
    s.kind[f] = STRING_KIND;
    s.from[f] = from + 1;
    s.to[f] = to - 1;
  } else if (first === 116 || first === 110 || first === 102) s.kind[f] = LITERAL_KIND;
  else {
    s.kind[f] = NUMBER_KIND;
    s.num[f] = numberAt(t, c, from, to);
  }
}

/** A hole of a template's line: where its value is, its field id (0: not wanted), whether it is an array. */
export interface Hole {
  readonly from: number;
  readonly to: number;
  readonly field: number;
  readonly array: boolean;
}

/** A value at least this long in the template's line is skipped by indexOf (SpanSource). */
const LONG = 6;
/** One-character strings of the ASCII codes, for indexOf. */
const CHARACTER: readonly string[] = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i));

/** The walks (SpanSource) through `line`, the template's line with these holes, that pass the fewest holes. */
export function planWalk(holes: readonly Hole[], line: string): { walk: Int32Array; back: Int32Array } {
  const length = line.length;
  const n = holes.length;
  const wanted = holes.flatMap((h, i) => (h.field === 0 ? [] : [i]));
  // k wanted holes from the start, the others from the end (which must hold no array).
  let best = wanted.length;
  let bestCost = wanted.length === 0 ? 0 : (wanted[wanted.length - 1] ?? 0) + 1;
  for (let k = 0; k < wanted.length; k++) {
    const first = wanted[k] ?? 0;
    if (holes.slice(first).some((h) => h.array)) continue;
    const cost = (k === 0 ? 0 : (wanted[k - 1] ?? 0) + 1) + n - first;
    if (cost < bestCost) [best, bestCost] = [k, cost];
  }
  const split = best === wanted.length ? n : (wanted[best] ?? n);
  const forward = best === 0 ? 0 : (wanted[best - 1] ?? 0) + 1;
  const walk: number[] = [];
  for (let i = 0; i < forward; i++) {
    const h = holes[i];
    if (h === undefined) break;
    // The literal text after a hole is never empty: a comma, a brace, a bracket or a space follows every value.
    const after = h.to - h.from >= LONG && !h.array ? line.charCodeAt(h.to) : 0;
    walk.push(h.from - (i === 0 ? 0 : (holes[i - 1]?.to ?? 0)), h.field, after < 128 ? after : 0);
  }
  const back: number[] = [];
  for (let i = n - 1; i >= split; i--) back.push((i === n - 1 ? length : (holes[i + 1]?.from ?? 0)) - (holes[i]?.to ?? 0), holes[i]?.field ?? 0);
  return { walk: Int32Array.from(walk), back: Int32Array.from(back) };
}

/** The end of the flat array of scalars without spaces at `p` (what a template's array hole admits). */
function arrayEnd(c: Codes, p: number): number {
  let i = p + 1;
  if (c[i] === 93) return i + 1;
  for (;;) {
    if (c[i] === 34) for (i++; c[i++] !== 34; );
    else while (c[i] !== 44 && c[i] !== 93) i++;
    if (c[i] === 93) return i + 1;
    i++;
  }
}

/** The same values as an EveFields (as the scanner and JSON.parse give them). */
export function fieldsOfSpans(tp: SpanSource, t: string, s: Spans): EveFields {
  const e = noFields();
  e.eventType = tp.eventType;
  for (const { field: f } of tp.wanted) {
    const kind = s.kind[f];
    store(e, f, kind === STRING_KIND ? t.slice(s.from[f], s.to[f]) : kind === NUMBER_KIND ? (s.num[f] ?? NaN) : null);
  }
  return e;
}

/**
 * Number(t.slice(from, to)) for the text of a JSON number, whose code units
 * `c` holds. Ports and counts are short digit strings, summed here from
 * their units instead of going through a string and Number()'s general
 * conversion. Anything else (a sign, a fraction, an exponent, more than 9
 * digits) goes to Number().
 */
export function numberAt(t: string, c: Codes, from: number, to: number): number {
  const len = to - from;
  if (len === 0 || len > 9) return Number(t.slice(from, to));
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = (c[i] ?? 0) - 48;
    if (d < 0 || d > 9) return Number(t.slice(from, to));
    n = n * 10 + d;
  }
  return n;
}
