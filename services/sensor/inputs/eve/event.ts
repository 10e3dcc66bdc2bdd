/**
 * The event of an EVE line that a template matched, read in place: the
 * values are where spans.ts found them in the chunk's string, their
 * characters are read from the chunk's code units (codes.ts), and only
 * the addresses become strings (and the whole line only when it is
 * skipped, for the report's example). It decides exactly as the general
 * path in parser.ts does on the same values, check for check and in the same
 * order (test: eve-event.test.ts compares the two on mutated lines).
 */
import type { ConnectionEvent, Outcome, Protocol } from '../../../common/avro/generated-types.ts';
import { canonicalIp } from '../../ip.ts';
import type { InputReport, Where } from '../../report.ts';
import { codesOf } from './codes.ts';
import type { Codes } from './codes.ts';
import { NUMBER_KIND, STRING_KIND } from './spans.ts';
import type { Spans } from './spans.ts';
import { isEchoRequest, portOf, protocolOf } from '../lines.ts';
import { parseIsoMsAt } from '../timestamps.ts';

// Field ids of scan.ts fieldOf.
const TIMESTAMP = 1;
const SRC_IP = 3;
const SRC_PORT = 4;
const DEST_IP = 5;
const DEST_PORT = 6;
const PROTO = 7;
const ICMP_TYPE = 8;
const FLOW_START = 11;
const PKTS_TOCLIENT = 12;
const TCP_FLAGS_TC = 13;
const TCP_FLAGS_TS = 14;

export const TCP_SYN = 0x02;
/** The skip reason of a TCP flow whose client sent no SYN. */
export const MID_STREAM = 'mid-stream TCP flow (no SYN from the client)';

/** Pushes the event of the line t.slice(start, end), of event type `eventType` ("flow" or "alert") and values at `s`, or reports why not. */
export function eveEventIn(eventType: string, t: string, c: Codes, start: number, end: number, s: Spans, where: Where, out: ConnectionEvent[], report: InputReport): void {
  const kind = s.kind;
  const protocol = kind[PROTO] === STRING_KIND ? protocolAt(t, c, s.from[PROTO] ?? 0, s.to[PROTO] ?? 0) : undefined;
  if (protocol === undefined) {
    report.skip('unknown protocol', where, t.slice(start, end));
    return;
  }
  if (eventType === 'flow' && protocol === 'TCP' && !(kind[TCP_FLAGS_TS] === STRING_KIND && (hexFlagsAt(t, c, s.from[TCP_FLAGS_TS] ?? 0, s.to[TCP_FLAGS_TS] ?? 0) & TCP_SYN) !== 0)) {
    report.skip(MID_STREAM, where, t.slice(start, end));
    return;
  }
  const at = eventType === 'flow' && kind[FLOW_START] === STRING_KIND ? FLOW_START : TIMESTAMP;
  const eventTime = kind[at] === STRING_KIND ? parseIsoMsAt(t, c, s.from[at] ?? 0, s.to[at] ?? 0) : NaN;
  if (Number.isNaN(eventTime)) {
    report.skip('bad timestamp', where, t.slice(start, end));
    return;
  }
  const srcIp = kind[SRC_IP] === STRING_KIND ? canonicalIpAt(t, c, s.from[SRC_IP] ?? 0, s.to[SRC_IP] ?? 0) : undefined;
  const dstIp = kind[DEST_IP] === STRING_KIND ? canonicalIpAt(t, c, s.from[DEST_IP] ?? 0, s.to[DEST_IP] ?? 0) : undefined;
  if (srcIp === undefined || dstIp === undefined) {
    report.skip('bad address', where, t.slice(start, end));
    return;
  }
  if (protocol === 'ICMP') {
    if (isEchoRequest(kind[ICMP_TYPE] === NUMBER_KIND ? s.num[ICMP_TYPE] : undefined)) out.push({ eventTime, protocol, srcIp, srcPort: 0, dstIp, dstPort: 0, outcome: outcomeAt(eventType, t, c, s) });
    return;
  }
  const srcPort = portAt(t, s, SRC_PORT);
  const dstPort = portAt(t, s, DEST_PORT);
  if (srcPort === undefined || dstPort === undefined) {
    report.skip('bad port', where, t.slice(start, end));
    return;
  }
  out.push({ eventTime, protocol, srcIp, srcPort, dstIp, dstPort, outcome: outcomeAt(eventType, t, c, s) });
}

/** protocolOf(t.slice(from, to)), without the string for "tcp" and "udp" in any case (which protocolOf lower-cases). */
function protocolAt(t: string, c: Codes, from: number, to: number): Protocol | undefined {
  if (to - from === 3) {
    // u | 32 is u's lower case for an ASCII letter, and equals a letter only for that letter in either case.
    const a = (c[from] ?? 0) | 32;
    const b = (c[from + 1] ?? 0) | 32;
    const d = (c[from + 2] ?? 0) | 32;
    if (a === 116 && b === 99 && d === 112) return 'TCP';
    if (a === 117 && b === 100 && d === 112) return 'UDP';
  }
  return protocolOf(t.slice(from, to));
}

/** canonicalIp(t.slice(from, to)). */
export function canonicalIpIn(t: string, from: number, to: number): string | undefined {
  return canonicalIpAt(t, codesOf(t), from, to);
}

/**
 * canonicalIp(t.slice(from, to)), with its test for a canonical dotted quad
 * (ip.ts isPlainIpv4) done on the code units `c` of t before the slice.
 */
function canonicalIpAt(t: string, codes: Codes, from: number, to: number): string | undefined {
  let dots = 0;
  let octet = 0;
  let digits = 0;
  for (let i = from; i < to; i++) {
    const c = codes[i] ?? 0;
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return canonicalIp(t.slice(from, to));
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return canonicalIp(t.slice(from, to));
      octet = octet * 10 + c - 48;
      if (++digits > 3) return canonicalIp(t.slice(from, to));
      // An octet over 255: not an address (as canonicalIp says).
      if (octet > 255) return undefined;
    } else return canonicalIp(t.slice(from, to));
  }
  return dots === 3 && digits > 0 ? t.slice(from, to) : canonicalIp(t.slice(from, to));
}

/** portOf of a field's value: a number, a string, or anything else (undefined). */
function portAt(t: string, s: Spans, f: number): number | undefined {
  const kind = s.kind[f];
  if (kind === NUMBER_KIND) return portOf(s.num[f]);
  return kind === STRING_KIND ? portOf(t.slice(s.from[f], s.to[f])) : undefined;
}

function outcomeAt(eventType: string, t: string, c: Codes, s: Spans): Outcome {
  if (eventType !== 'flow') return 'UNKNOWN';
  if (s.kind[TCP_FLAGS_TC] === STRING_KIND) {
    const flags = hexFlagsAt(t, c, s.from[TCP_FLAGS_TC] ?? 0, s.to[TCP_FLAGS_TC] ?? 0);
    if ((flags & 0x12) === 0x12) return 'ESTABLISHED';
    if ((flags & 0x04) !== 0) return 'REJECTED';
    return 'ATTEMPT';
  }
  return s.kind[PKTS_TOCLIENT] === NUMBER_KIND && (s.num[PKTS_TOCLIENT] ?? 0) > 0 ? 'ESTABLISHED' : 'ATTEMPT';
}

const hexDigit = (c: number): number => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1);

/** parseInt(t.slice(from, to), 16), with Suricata's two hex digits read directly. */
export function hexFlagsIn(t: string, from: number, to: number): number {
  if (to - from === 2) {
    const high = hexDigit(t.charCodeAt(from));
    const low = hexDigit(t.charCodeAt(from + 1));
    if (high >= 0 && low >= 0) return high * 16 + low;
  }
  return parseInt(t.slice(from, to), 16);
}

/** hexFlagsIn, with the two hex digits read from `c`, the code units of t. */
function hexFlagsAt(t: string, c: Codes, from: number, to: number): number {
  if (to - from === 2) {
    const high = hexDigit(c[from] ?? 0);
    const low = hexDigit(c[from + 1] ?? 0);
    if (high >= 0 && low >= 0) return high * 16 + low;
  }
  return parseInt(t.slice(from, to), 16);
}
