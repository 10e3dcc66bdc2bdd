/**
 * EVE line templates: one per line shape (templates.ts merges them).
 *
 * Suricata writes the events of one shape with the same members in the same
 * order; only the values change. A line of a new shape that the scanner
 * (scan.ts) accepts is turned into a regular expression: its keys,
 * punctuation and spacing literally, its event_type value literally, a hole
 * for every other value (a member the sensor reads takes only the kind of
 * value the line had). V8 compiles the expression to machine code, which
 * checks a whole line several times faster than a JavaScript pass over its
 * characters (README, Performance). The expression has no capture groups:
 * once it has matched, the wanted values are found by walking along the
 * template (spans.ts),
 * which builds no match array and no strings.
 *
 * Exactness: a template is made from a line that is valid JSON; each hole
 * admits exactly the JSON scalars without escapes or control characters (or
 * a flat array of them where the line had one), so a line it matches is
 * valid JSON with the same members in the same places, and its wanted fields
 * are in its holes. Lines with duplicate wanted members make no
 * template, so "the later duplicate wins" never arises here. A line that no
 * template matches goes to the scanner and then JSON.parse: nothing is
 * guessed (test: eve-template.test.ts).
 */
import { codesOf } from './codes.ts';
import type { EveFields } from './scan.ts';
import { FLOW, FLOW_FIELD, OTHER, TCP, TCP_FIELD, TOP, fieldOf } from './scan.ts';
import { LITERAL_KIND, NUMBER_KIND, STRING_KIND, Spans, fieldsOfSpans, numberAt, planWalk, spansOf } from './spans.ts';
import type { Hole, Kind, Wanted } from './spans.ts';

const STRING_BODY = String.raw`[^"\\\x00-\x1f]*`;
const NUMBER_RE = String.raw`-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?`;
const SCALAR = `(?:"${STRING_BODY}"|${NUMBER_RE}|true|false|null)`;
/** A wanted member takes the kind of value the template's line had there: a string, a number, or true/false/null. */
const WANTED_STRING = `"${STRING_BODY}"`;
const WANTED_NUMBER = NUMBER_RE;
const WANTED_LITERAL = '(?:true|false|null)';
const ARRAY = String.raw`\[(?:${SCALAR}(?:,${SCALAR})*)?\]`;
const EVENT_TYPE = 2;
export { LITERAL_KIND, NUMBER_KIND, STRING_KIND } from './spans.ts';
export type { Kind, Wanted } from './spans.ts';

/**
 * A piece of a template: literal text up to a hole and the hole (or, last,
 * the text to the end of the line). `field` is the id (scan.ts fieldOf)
 * of a wanted hole, 0 for the others.
 */
export interface Token {
  readonly src: string;
  readonly field: number;
  readonly kind: Kind;
}

export interface Template {
  readonly tokens: readonly Token[];
  /** The template alone (anchored at both ends), for readTemplate (EveTemplates merges the tokens of all). */
  readonly re: RegExp;
  /** The wanted holes, in line order. */
  readonly wanted: readonly Wanted[];
  /** The walks to the wanted values (spans.ts SpanSource). */
  readonly walk: Int32Array;
  readonly back: Int32Array;
  readonly eventType: string;
}

const scratch = new Spans();

/** The fields of `t` if it matches `tp`, else undefined. */
export function readTemplate(tp: Template, t: string): EveFields | undefined {
  if (!tp.re.test(t)) return undefined;
  return fieldsOfSpans(tp, t, spansOf(tp, t, codesOf(t), 0, t.length, scratch));
}

/** Number(v) for the text of a JSON number (spans.ts numberAt). */
export function numberOf(v: string): number {
  return numberAt(v, codesOf(v), 0, v.length);
}

interface Build {
  readonly t: string;
  /** Start of the text not yet copied into a token. */
  lit: number;
  readonly tokens: Token[];
  readonly wanted: Wanted[];
  readonly holes: Hole[];
}

const escapeRe = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

function hole(b: Build, from: number, to: number, pattern: string, field = 0, kind: Kind = LITERAL_KIND): void {
  b.tokens.push({ src: escapeRe(b.t.slice(b.lit, from)) + pattern, field, kind });
  b.holes.push({ from, to, field, array: pattern === ARRAY });
  if (field !== 0) b.wanted.push({ field, kind });
  b.lit = to;
}

/**
 * The template of `t`, a line the scanner accepted (so valid JSON without
 * escapes or control characters), or undefined for a shape it does not
 * cover: nested containers in arrays, spaces in arrays, duplicate or
 * non-scalar wanted members.
 */
export function templateOf(t: string, eventType: string): Template | undefined {
  const b: Build = { t, lit: 0, tokens: [], wanted: [], holes: [] };
  if (object(b, 1, TOP) !== t.length) return undefined;
  b.tokens.push({ src: escapeRe(t.slice(b.lit)), field: 0, kind: LITERAL_KIND });
  return { tokens: b.tokens, re: new RegExp(`^${b.tokens.map((tk) => tk.src).join('')}$`), wanted: b.wanted, ...planWalk(b.holes, t), eventType };
}

const space = (t: string, i: number): number => {
  while (t.charCodeAt(i) === 32) i++;
  return i;
};

/** From just after "{": the index after its "}", or undefined. */
function object(b: Build, i: number, where: number): number | undefined {
  const t = b.t;
  const seen: number[] = [];
  i = space(t, i);
  if (t.charCodeAt(i) === 125) return i + 1;
  for (;;) {
    const keyEnd = t.indexOf('"', i + 1);
    const field = where === OTHER ? 0 : fieldOf(t, i + 1, keyEnd, where);
    if (field !== 0) {
      if (seen.includes(field)) return undefined;
      seen.push(field);
    }
    i = space(t, space(t, keyEnd + 1) + 1);
    const end = member(b, i, field);
    if (end === undefined) return undefined;
    i = space(t, end);
    if (t.charCodeAt(i) === 125) return i + 1;
    i = space(t, i + 1);
  }
}

/** The value of a member from `i`: the index after it, or undefined. */
function member(b: Build, i: number, field: number): number | undefined {
  const c = b.t.charCodeAt(i);
  if (c === 123) {
    if (field !== 0 && field !== FLOW_FIELD && field !== TCP_FIELD) return undefined;
    return object(b, i + 1, field === FLOW_FIELD ? FLOW : field === TCP_FIELD ? TCP : OTHER);
  }
  if (field === FLOW_FIELD || field === TCP_FIELD) return undefined;
  if (c === 91) {
    const end = field === 0 ? arrayEnd(b.t, i) : undefined;
    if (end !== undefined) hole(b, i, end, ARRAY);
    return end;
  }
  const end = scalarEnd(b.t, i);
  // event_type stays literal: lines of other types then fail early, at that value.
  if (field === EVENT_TYPE) return c === 34 ? end : undefined;
  if (field === 0) {
    hole(b, i, end, SCALAR);
    return end;
  }
  const kind = c === 34 ? STRING_KIND : c === 116 || c === 102 || c === 110 ? LITERAL_KIND : NUMBER_KIND;
  hole(b, i, end, kind === STRING_KIND ? WANTED_STRING : kind === LITERAL_KIND ? WANTED_LITERAL : WANTED_NUMBER, field, kind);
  return end;
}

/** The end of a scalar known to be valid JSON. */
function scalarEnd(t: string, i: number): number {
  const c = t.charCodeAt(i);
  if (c === 34) return t.indexOf('"', i + 1) + 1;
  if (c === 116 || c === 110) return i + 4;
  if (c === 102) return i + 5;
  for (i++; ; i++) {
    const d = t.charCodeAt(i);
    if (!((d >= 48 && d <= 57) || d === 46 || d === 43 || d === 45 || d === 101 || d === 69)) return i;
  }
}

/** The end of an array of scalars without spaces (what ARRAY admits), or undefined. */
function arrayEnd(t: string, i: number): number | undefined {
  if (t.charCodeAt(i + 1) === 93) return i + 2;
  for (i++; ; i++) {
    const c = t.charCodeAt(i);
    if (c === 123 || c === 91 || c === 32) return undefined;
    i = scalarEnd(t, i);
    const next = t.charCodeAt(i);
    if (next === 93) return i + 1;
    if (next !== 44) return undefined;
  }
}
