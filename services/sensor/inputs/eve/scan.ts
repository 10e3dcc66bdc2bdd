/**
 * The EVE scanner, for clean lines of a shape no template (template.ts)
 * knows yet: a line is hundreds of bytes of which the sensor needs a dozen
 * fields. One left-to-right pass validates the whole line as JSON
 * (RFC 8259 grammar) and picks out those fields, without building the rest.
 * It gives up (undefined) on what it does not handle -- a backslash escape,
 * a raw control character, nesting deeper than MAX_DEPTH, anything malformed
 * -- and the caller then asks JSON.parse, so every line is judged exactly as
 * JSON.parse would judge it (test: eve-scan.test.ts compares the two on
 * thousands of mutated lines).
 */

/** What the EVE input reads of a line, typed as JSON.parse would give it (undefined: absent). */
export interface EveFields {
  timestamp: unknown;
  eventType: unknown;
  srcIp: unknown;
  srcPort: unknown;
  destIp: unknown;
  destPort: unknown;
  proto: unknown;
  icmpType: unknown;
  /** flow.start, flow.pkts_toclient, tcp.tcp_flags_tc, tcp.tcp_flags_ts */
  flowStart: unknown;
  pktsToClient: unknown;
  tcpFlagsTc: unknown;
  tcpFlagsTs: unknown;
}

const MAX_DEPTH = 32;
const QUOTE = 34;
/** Where a member is: the top-level object, "flow", "tcp", or any other object. */
export const TOP = 0;
export const FLOW = 1;
export const TCP = 2;
export const OTHER = 3;
/** Field ids of fieldOf: the members whose value is the "flow" and "tcp" objects. */
export const FLOW_FIELD = 9;
export const TCP_FIELD = 10;

/** The fields of `t`, or undefined when JSON.parse must decide. */
export function scanEve(t: string): EveFields | undefined {
  if (t.charCodeAt(0) !== 123 || NOT_SCANNED.test(t)) return undefined;
  const e = noFields();
  const end = object(t, 1, 1, TOP, e);
  return end === t.length ? e : undefined;
}

/** All fields absent. */
export function noFields(): EveFields {
  return { timestamp: undefined, eventType: undefined, srcIp: undefined, srcPort: undefined, destIp: undefined, destPort: undefined, proto: undefined, icmpType: undefined, flowStart: undefined, pktsToClient: undefined, tcpFlagsTc: undefined, tcpFlagsTs: undefined };
}

function space(t: string, i: number): number {
  for (;;) {
    const c = t.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) return i;
    i++;
  }
}

/**
 * From just after an opening quote: the index of the closing quote, or -1.
 * scanEve has made sure that the line holds no escape or control character,
 * so the next quote closes the string (a native search: most of a line is
 * string contents).
 */
function string(t: string, i: number): number {
  return t.indexOf('"', i);
}

/** What JSON strings may not hold raw (control characters), or what the scanner leaves to JSON.parse (escapes). */
// eslint-disable-next-line no-control-regex -- raw control characters are what it looks for
const NOT_SCANNED = /[\\\x00-\x1f]/;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** A JSON number from `i`: the index after it, or -1.  -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
function number(t: string, i: number): number {
  if (t.charCodeAt(i) === 45) i++;
  const first = t.charCodeAt(i);
  if (first === 48) i++;
  else if (first >= 49 && first <= 57) while (isDigit(t.charCodeAt(++i)));
  else return -1;
  if (t.charCodeAt(i) === 46) {
    if (!isDigit(t.charCodeAt(++i))) return -1;
    while (isDigit(t.charCodeAt(++i)));
  }
  const exp = t.charCodeAt(i);
  if (exp === 101 || exp === 69) {
    const sign = t.charCodeAt(++i);
    if (sign === 43 || sign === 45) i++;
    if (!isDigit(t.charCodeAt(i))) return -1;
    while (isDigit(t.charCodeAt(++i)));
  }
  return i;
}

/** Any value from `i` (no space before it): the index after it, or -1. */
function value(t: string, i: number, depth: number): number {
  const c = t.charCodeAt(i);
  if (c === QUOTE) {
    const close = string(t, i + 1);
    return close < 0 ? -1 : close + 1;
  }
  if (c === 123) return depth >= MAX_DEPTH ? -1 : object(t, i + 1, depth + 1, OTHER, undefined);
  if (c === 91) return depth >= MAX_DEPTH ? -1 : array(t, i + 1, depth + 1);
  if (c === 116) return t.startsWith('true', i) ? i + 4 : -1;
  if (c === 102) return t.startsWith('false', i) ? i + 5 : -1;
  if (c === 110) return t.startsWith('null', i) ? i + 4 : -1;
  return number(t, i);
}

function array(t: string, i: number, depth: number): number {
  i = space(t, i);
  if (t.charCodeAt(i) === 93) return i + 1;
  for (;;) {
    i = value(t, i, depth);
    if (i < 0) return -1;
    i = space(t, i);
    const c = t.charCodeAt(i);
    if (c === 93) return i + 1;
    if (c !== 44) return -1;
    i = space(t, i + 1);
  }
}

/** The id of a member the sensor reads, by where it is and its key text (between `from` and `to`); 0 for the others. */
export function fieldOf(t: string, from: number, to: number, where: number): number {
  // Length and one or two characters rule out most keys before a text comparison.
  const len = to - from;
  const c = t.charCodeAt(from);
  if (where === TOP) {
    switch (len) {
      case 3: return c === 116 && t.startsWith('tcp', from) ? 10 : 0;
      case 4: return c === 102 && t.startsWith('flow', from) ? 9 : 0;
      case 5: return c === 112 && t.startsWith('proto', from) ? 7 : 0;
      case 6: return c === 115 && t.startsWith('src_ip', from) ? 3 : 0;
      case 7: return c === 100 && t.startsWith('dest_ip', from) ? 5 : 0;
      case 8: return c === 115 && t.startsWith('src_port', from) ? 4 : 0;
      case 9: return c === 116 ? (t.startsWith('timestamp', from) ? 1 : 0) : c === 100 ? (t.startsWith('dest_port', from) ? 6 : 0) : c === 105 && t.startsWith('icmp_type', from) ? 8 : 0;
      case 10: return c === 101 && t.startsWith('event_type', from) ? 2 : 0;
      default: return 0;
    }
  }
  if (where === FLOW) return len === 5 && c === 115 && t.charCodeAt(from + 3) === 114 && t.startsWith('start', from) ? 11 : len === 13 && t.charCodeAt(from + 5) === 116 && t.startsWith('pkts_toclient', from) ? 12 : 0;
  if (where === TCP) {
    if (len !== 12) return 0;
    const last = t.charCodeAt(to - 1);
    return last === 99 ? (t.startsWith('tcp_flags_tc', from) ? 13 : 0) : last === 115 && t.startsWith('tcp_flags_ts', from) ? 14 : 0;
  }
  return 0;
}

/**
 * The members of an object from just after its "{": the index after its "}",
 * or -1. Values of wanted members go to `e`; a later duplicate key wins, as
 * with JSON.parse.
 */
function object(t: string, i: number, depth: number, where: number, e: EveFields | undefined): number {
  i = space(t, i);
  if (t.charCodeAt(i) === 125) return i + 1;
  for (;;) {
    if (t.charCodeAt(i) !== QUOTE) return -1;
    const keyEnd = string(t, i + 1);
    if (keyEnd < 0) return -1;
    const field = e === undefined ? 0 : fieldOf(t, i + 1, keyEnd, where);
    i = space(t, keyEnd + 1);
    if (t.charCodeAt(i) !== 58) return -1;
    i = space(t, i + 1);
    const from = i;
    if (e !== undefined && (field === FLOW_FIELD || field === TCP_FIELD) && t.charCodeAt(i) === 123) {
      // "flow" / "tcp": a new object replaces what an earlier duplicate said.
      if (field === FLOW_FIELD) e.flowStart = e.pktsToClient = undefined;
      else e.tcpFlagsTc = e.tcpFlagsTs = undefined;
      i = depth >= MAX_DEPTH ? -1 : object(t, i + 1, depth + 1, field === FLOW_FIELD ? FLOW : TCP, e);
    } else i = value(t, i, depth);
    if (i < 0) return -1;
    if (e !== undefined && field !== 0) set(e, field, t, from, i);
    i = space(t, i);
    const c = t.charCodeAt(i);
    if (c === 125) return i + 1;
    if (c !== 44) return -1;
    i = space(t, i + 1);
  }
}

/** Stores the value spanning from..to: a string without its quotes, a number, or null for anything else. */
function set(e: EveFields, field: number, t: string, from: number, to: number): void {
  const c = t.charCodeAt(from);
  if (field === FLOW_FIELD || field === TCP_FIELD) {
    // A "flow" or "tcp" that is not an object: it replaces what an earlier duplicate said.
    if (c === 123) return;
    if (field === FLOW_FIELD) e.flowStart = e.pktsToClient = undefined;
    else e.tcpFlagsTc = e.tcpFlagsTs = undefined;
    return;
  }
  store(e, field, c === QUOTE ? t.slice(from + 1, to - 1) : c === 45 || isDigit(c) ? Number(t.slice(from, to)) : null);
}

/** Stores the value of a scalar field (ids 1..8, 11..14 of fieldOf). */
export function store(e: EveFields, field: number, v: string | number | null): void {
  switch (field) {
    case 1: e.timestamp = v; break;
    case 2: e.eventType = v; break;
    case 3: e.srcIp = v; break;
    case 4: e.srcPort = v; break;
    case 5: e.destIp = v; break;
    case 6: e.destPort = v; break;
    case 7: e.proto = v; break;
    case 8: e.icmpType = v; break;
    case 11: e.flowStart = v; break;
    case 12: e.pktsToClient = v; break;
    case 13: e.tcpFlagsTc = v; break;
    case 14: e.tcpFlagsTs = v; break;
  }
}
