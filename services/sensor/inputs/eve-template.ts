/**
 * EVE line templates, the hot path for a stream of lines of one shape.
 *
 * Suricata writes every flow (or alert) event with the same members in the
 * same order; only the values change. The first line of a shape that the
 * scanner (eve-scan.ts) accepts is turned into a regular expression: its
 * keys, punctuation and spacing literally, its event_type value literally,
 * every other scalar value a hole that takes any JSON scalar, with capture
 * groups on the members the sensor reads. V8 compiles the expression to
 * machine code, which checks a whole line several times faster than a
 * JavaScript pass over its characters (README, Performance).
 *
 * Exactness: a template is made from a line that is valid JSON; each hole
 * admits exactly the JSON scalars without escapes or control characters (or
 * a flat array of them where the line had one), so a line it matches is
 * valid JSON with the same members in the same places, and its wanted fields
 * are in the captured holes. Lines with duplicate wanted members make no
 * template, so "the later duplicate wins" never arises here. A line that no
 * template matches goes to the scanner and then JSON.parse: nothing is
 * guessed (test: eve-template.test.ts).
 */
import type { EveFields } from './eve-scan.ts';
import { FLOW, FLOW_FIELD, OTHER, TCP, TCP_FIELD, TOP, fieldOf, noFields, store } from './eve-scan.ts';

const STRING_BODY = String.raw`[^"\\\x00-\x1f]*`;
const NUMBER_RE = String.raw`-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?`;
const SCALAR = `(?:"${STRING_BODY}"|${NUMBER_RE}|true|false|null)`;
/**
 * A wanted member takes the kind of value the template's line had there, in
 * one capture group (fewer groups, fewer strings built per match): a string
 * (its contents), a number (its text), or true/false/null (an empty group,
 * which costs no string).
 */
const WANTED_STRING = `"(${STRING_BODY})"`;
const WANTED_NUMBER = `(${NUMBER_RE})`;
const WANTED_LITERAL = '(?:true|false|null)()';
const ARRAY = String.raw`\[(?:${SCALAR}(?:,${SCALAR})*)?\]`;
const EVENT_TYPE = 2;
const STRING_KIND = 0;
const NUMBER_KIND = 1;
const LITERAL_KIND = 2;
type Kind = typeof STRING_KIND | typeof NUMBER_KIND | typeof LITERAL_KIND;

export interface Template {
  readonly re: RegExp;
  /** The field id (eve-scan.ts fieldOf) of each wanted hole, in order. */
  readonly fields: readonly number[];
  /** The kind of each wanted hole: a string, a number, or null (true/false/null). */
  readonly kinds: readonly Kind[];
  readonly eventType: string;
}

/** The fields of `t` if it matches `tp`, else undefined. */
export function readTemplate(tp: Template, t: string): EveFields | undefined {
  const m = tp.re.exec(t);
  if (m === null) return undefined;
  const e = noFields();
  e.eventType = tp.eventType;
  const { fields, kinds } = tp;
  for (let k = 0; k < fields.length; k++) {
    const v = m[k + 1] ?? '';
    const kind = kinds[k];
    store(e, fields[k] ?? 0, kind === STRING_KIND ? v : kind === NUMBER_KIND ? Number(v) : null);
  }
  return e;
}

interface Build {
  readonly t: string;
  /** Start of the text not yet copied into `src`. */
  lit: number;
  src: string;
  readonly fields: number[];
  readonly kinds: Kind[];
}

const escapeRe = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

function hole(b: Build, from: number, to: number, pattern: string): void {
  b.src += escapeRe(b.t.slice(b.lit, from)) + pattern;
  b.lit = to;
}

/**
 * The template of `t`, a line the scanner accepted (so valid JSON without
 * escapes or control characters), or undefined for a shape it does not
 * cover: nested containers in arrays, spaces in arrays, duplicate or
 * non-scalar wanted members.
 */
export function templateOf(t: string, eventType: string): Template | undefined {
  const b: Build = { t, lit: 0, src: '^', fields: [], kinds: [] };
  if (object(b, 1, TOP) !== t.length) return undefined;
  b.src += `${escapeRe(t.slice(b.lit))}$`;
  return { re: new RegExp(b.src), fields: b.fields, kinds: b.kinds, eventType };
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
  hole(b, i, end, kind === STRING_KIND ? WANTED_STRING : kind === LITERAL_KIND ? WANTED_LITERAL : WANTED_NUMBER);
  b.fields.push(field);
  b.kinds.push(kind);
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

const MAX_TEMPLATES = 8;
/** A template is made from at most one line in this many that none matched (a regular expression costs ~100 lines to compile). */
const LEARN_EVERY = 32;

/** The templates of one input, most recently matched first. */
export class EveTemplates {
  readonly #list: Template[] = [];
  #misses = LEARN_EVERY;

  read(t: string): EveFields | undefined {
    const list = this.#list;
    for (let k = 0; k < list.length; k++) {
      const tp = list[k];
      const e = tp === undefined ? undefined : readTemplate(tp, t);
      if (e === undefined || tp === undefined) continue;
      if (k > 0) {
        list.splice(k, 1);
        list.unshift(tp);
      }
      return e;
    }
    return undefined;
  }

  /** Called with a line no template matched and that the scanner read as `e`. */
  learn(t: string, e: EveFields): void {
    if ((e.eventType !== 'flow' && e.eventType !== 'alert') || ++this.#misses < LEARN_EVERY) return;
    this.#misses = 0;
    const tp = templateOf(t, e.eventType);
    if (tp === undefined) return;
    if (this.#list.length >= MAX_TEMPLATES) this.#list.pop();
    this.#list.unshift(tp);
  }
}
