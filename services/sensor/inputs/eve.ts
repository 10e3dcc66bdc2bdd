/**
 * Suricata EVE JSON (one object per line), event types "flow" and "alert";
 * other types (dns, http, stats, ...) are not connection attempts and are
 * passed over. Fields (Suricata docs, "Eve JSON Format"):
 *   timestamp, event_type, src_ip, src_port, dest_ip, dest_port, proto,
 *   icmp_type/icmp_code for ICMP, flow.start, flow.pkts_toclient,
 *   tcp.tcp_flags_tc (hex of the TCP flags the server sent, cumulative).
 *
 * Event time: flow.start for a flow (its first packet), else timestamp.
 * Outcome of a TCP flow: the server sent SYN+ACK -> ESTABLISHED, else RST ->
 * REJECTED, else ATTEMPT; a UDP flow with packets to the client ->
 * ESTABLISHED, else ATTEMPT. An alert does not say: UNKNOWN.
 */
import type { Outcome } from '../../common/avro/generated-types.ts';
import { canonicalIp } from '../ip.ts';
import { isEchoRequest, portOf, protocolOf } from './lines.ts';
import type { LineParser } from './lines.ts';
import { parseIsoMs } from './timestamps.ts';

interface Eve {
  timestamp?: unknown;
  event_type?: unknown;
  src_ip?: unknown;
  src_port?: unknown;
  dest_ip?: unknown;
  dest_port?: unknown;
  proto?: unknown;
  icmp_type?: unknown;
  flow?: { start?: unknown; pkts_toclient?: unknown };
  tcp?: { tcp_flags_tc?: unknown };
}

export function eveParser(): LineParser {
  return {
    line(text, where, out, report) {
      const parsed: unknown = scanEve(text) ?? JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null) {
        report.skip('not a JSON object', where, text);
        return;
      }
      const e = parsed as Eve;
      if (e.event_type !== 'flow' && e.event_type !== 'alert') return;
      const protocol = typeof e.proto === 'string' ? protocolOf(e.proto) : undefined;
      if (protocol === undefined) {
        report.skip('unknown protocol', where, text);
        return;
      }
      const start = e.event_type === 'flow' && typeof e.flow?.start === 'string' ? e.flow.start : e.timestamp;
      const eventTime = typeof start === 'string' ? parseIsoMs(start) : NaN;
      if (Number.isNaN(eventTime)) {
        report.skip('bad timestamp', where, text);
        return;
      }
      const srcIp = typeof e.src_ip === 'string' ? canonicalIp(e.src_ip) : undefined;
      const dstIp = typeof e.dest_ip === 'string' ? canonicalIp(e.dest_ip) : undefined;
      if (srcIp === undefined || dstIp === undefined) {
        report.skip('bad address', where, text);
        return;
      }
      if (protocol === 'ICMP') {
        if (isEchoRequest(typeof e.icmp_type === 'number' ? e.icmp_type : undefined)) out.push({ eventTime, protocol, srcIp, srcPort: 0, dstIp, dstPort: 0, outcome: outcomeOf(e) });
        return;
      }
      const srcPort = portOf(e.src_port);
      const dstPort = portOf(e.dest_port);
      if (srcPort === undefined || dstPort === undefined) {
        report.skip('bad port', where, text);
        return;
      }
      out.push({ eventTime, protocol, srcIp, srcPort, dstIp, dstPort, outcome: outcomeOf(e) });
    },
  };
}

function outcomeOf(e: Eve): Outcome {
  if (e.event_type !== 'flow') return 'UNKNOWN';
  if (typeof e.tcp?.tcp_flags_tc === 'string') {
    const flags = parseInt(e.tcp.tcp_flags_tc, 16);
    if ((flags & 0x12) === 0x12) return 'ESTABLISHED';
    if ((flags & 0x04) !== 0) return 'REJECTED';
    return 'ATTEMPT';
  }
  return typeof e.flow?.pkts_toclient === 'number' && e.flow.pkts_toclient > 0 ? 'ESTABLISHED' : 'ATTEMPT';
}

/**
 * The hot path: EVE lines are hundreds of bytes, of which a sensor needs a
 * dozen fields. One left-to-right pass over the top-level object (and the
 * "flow" and "tcp" objects) picks them out; JSON.parse would build every
 * field. Lines with a backslash (escapes), or that do not end with "}", or
 * that the pass cannot follow, return undefined and JSON.parse decides, so
 * malformed lines are still rejected as before.
 */
function scanEve(text: string): Eve | undefined {
  const n = text.length;
  if (n < 2 || text.charCodeAt(0) !== 123 || text.charCodeAt(n - 1) !== 125 || text.includes('\\')) return undefined;
  const e: Eve = {};
  const end = scanObject(text, 0, (key, from, to, str) => {
    switch (key) {
      case 'timestamp': e.timestamp = str ? text.slice(from, to) : undefined; break;
      case 'event_type': e.event_type = str ? text.slice(from, to) : undefined; break;
      case 'src_ip': e.src_ip = str ? text.slice(from, to) : undefined; break;
      case 'dest_ip': e.dest_ip = str ? text.slice(from, to) : undefined; break;
      case 'proto': e.proto = str ? text.slice(from, to) : undefined; break;
      case 'src_port': e.src_port = str ? undefined : Number(text.slice(from, to)); break;
      case 'dest_port': e.dest_port = str ? undefined : Number(text.slice(from, to)); break;
      case 'icmp_type': e.icmp_type = str ? undefined : Number(text.slice(from, to)); break;
      case 'flow': {
        const flow: { start?: unknown; pkts_toclient?: unknown } = {};
        scanObject(text, from, (k, f, t, s) => {
          if (k === 'start' && s) flow.start = text.slice(f, t);
          else if (k === 'pkts_toclient' && !s) flow.pkts_toclient = Number(text.slice(f, t));
        });
        e.flow = flow;
        break;
      }
      case 'tcp': {
        const tcp: { tcp_flags_tc?: unknown } = {};
        scanObject(text, from, (k, f, t, s) => {
          if (k === 'tcp_flags_tc' && s) tcp.tcp_flags_tc = text.slice(f, t);
        });
        e.tcp = tcp;
        break;
      }
    }
  });
  return end === n - 1 ? e : undefined;
}

const CH = { QUOTE: 34, COMMA: 44, COLON: 58, OPEN: 123, CLOSE: 125, LBRACKET: 91, RBRACKET: 93, SPACE: 32 } as const;

/**
 * Walks the object whose "{" is at `at`, calling `field` for each member
 * (a string value's span excludes its quotes; an object or array value is
 * passed as its span from its opening bracket). Returns the index of the
 * closing "}", or -1 when the text does not follow (the caller falls back).
 */
function scanObject(t: string, at: number, field: (key: string, from: number, to: number, isString: boolean) => void): number {
  const n = t.length;
  let i = skipSpace(t, at + 1);
  if (t.charCodeAt(i) === CH.CLOSE) return i;
  for (;;) {
    if (t.charCodeAt(i) !== CH.QUOTE) return -1;
    const keyEnd = t.indexOf('"', i + 1);
    if (keyEnd < 0) return -1;
    const key = t.slice(i + 1, keyEnd);
    i = skipSpace(t, keyEnd + 1);
    if (t.charCodeAt(i) !== CH.COLON) return -1;
    i = skipSpace(t, i + 1);
    const c = t.charCodeAt(i);
    if (c === CH.QUOTE) {
      const close = t.indexOf('"', i + 1);
      if (close < 0) return -1;
      field(key, i + 1, close, true);
      i = close + 1;
    } else if (c === CH.OPEN || c === CH.LBRACKET) {
      const close = skipNested(t, i);
      if (close < 0) return -1;
      field(key, i, close, false);
      i = close + 1;
    } else {
      let j = i;
      while (j < n && t.charCodeAt(j) !== CH.COMMA && t.charCodeAt(j) !== CH.CLOSE) j++;
      field(key, i, j, false);
      i = j;
    }
    i = skipSpace(t, i);
    const sep = t.charCodeAt(i);
    if (sep === CH.CLOSE) return i;
    if (sep !== CH.COMMA) return -1;
    i = skipSpace(t, i + 1);
  }
}

function skipSpace(t: string, i: number): number {
  while (t.charCodeAt(i) === CH.SPACE) i++;
  return i;
}

/** The index of the bracket closing the one at `at`, skipping strings (no escapes here). */
function skipNested(t: string, at: number): number {
  let depth = 0;
  for (let i = at; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === CH.QUOTE) {
      i = t.indexOf('"', i + 1);
      if (i < 0) return -1;
    } else if (c === CH.OPEN || c === CH.LBRACKET) depth++;
    else if (c === CH.CLOSE || c === CH.RBRACKET) {
      if (--depth === 0) return i;
    }
  }
  return -1;
}
