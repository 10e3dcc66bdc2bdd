/**
 * Suricata EVE JSON (one object per line), event types "flow" and "alert";
 * other types (dns, http, stats, ...) are not connection attempts and are
 * passed over. Fields (Suricata docs, "Eve JSON Format"):
 *   timestamp, event_type, src_ip, src_port, dest_ip, dest_port, proto,
 *   icmp_type/icmp_code for ICMP, flow.start, flow.pkts_toclient,
 *   tcp.tcp_flags_tc (hex of the TCP flags the server sent, cumulative).
 *
 *   tcp.tcp_flags_ts (the TCP flags the client sent).
 *
 * A TCP flow is an attempt only if the client sent a SYN (tcp_flags_ts has
 * 0x02): a flow Suricata picked up mid-stream (flags 00, or no SYN) is
 * skipped as MID_STREAM, since its "client" may be the server (Suricata
 * guesses the direction from the first packet it saw).
 * Event time: flow.start for a flow (its first packet), else timestamp.
 * Outcome of a TCP flow: the server sent SYN+ACK -> ESTABLISHED, else RST ->
 * REJECTED, else ATTEMPT; a UDP flow with packets to the client ->
 * ESTABLISHED, else ATTEMPT. An alert does not say: UNKNOWN.
 * The mapping, with flow.state and flow.reason, is in the README.
 */
import type { ConnectionEvent, Outcome } from '../../../common/avro/generated-types.ts';
import { canonicalIp } from '../../ip.ts';
import type { InputReport, Where } from '../../report.ts';
import { ChunkCodes } from './codes.ts';
import { eveEventIn, hexFlagsIn, MID_STREAM, TCP_SYN } from './event.ts';
import { scanEve } from './scan.ts';
import type { EveFields } from './scan.ts';
import { Spans, spansOf } from './spans.ts';
import { EveTemplates } from './templates.ts';
import { isEchoRequest, portOf, protocolOf } from '../lines.ts';
import type { LineParser } from '../lines.ts';
import { parseIsoMs } from '../timestamps.ts';

export function eveParser(): LineParser {
  const templates = new EveTemplates();
  const spans = new Spans();
  const codes = new ChunkCodes();
  const lineIn: NonNullable<LineParser['lineIn']> = (text, start, end, where, out, report) => {
    // Templates answer the lines of a known shape (read in place), the scanner the other clean lines; JSON.parse decides the rest (escapes, malformed).
    const tp = templates.match(text, start, end);
    if (tp !== undefined) {
      const c = codes.of(text);
      eveEventIn(tp.eventType, text, c, start, end, spansOf(tp, text, c, start, end, spans), where, out, report);
      return;
    }
    const line = start === 0 && end === text.length ? text : text.slice(start, end);
    const scanned = scanEve(line);
    if (scanned !== undefined) templates.learn(line, scanned);
    eveLine(scanned ?? eveFieldsOf(JSON.parse(line)), line, where, out, report);
  };
  return {
    line(text, where, out, report) {
      lineIn(text, 0, text.length, where, out, report);
    },
    lineIn,
  };
}

/** The general path: the fields of a line as the scanner or JSON.parse read them (undefined: not an object). */
function eveLine(e: EveFields | undefined, text: string, where: Where, out: ConnectionEvent[], report: InputReport): void {
  if (e === undefined) {
    report.skip('not a JSON object', where, text);
    return;
  }
  if (e.eventType !== 'flow' && e.eventType !== 'alert') return;
  const protocol = typeof e.proto === 'string' ? protocolOf(e.proto) : undefined;
  if (protocol === undefined) {
    report.skip('unknown protocol', where, text);
    return;
  }
  if (e.eventType === 'flow' && protocol === 'TCP' && !(typeof e.tcpFlagsTs === 'string' && (hexFlags(e.tcpFlagsTs) & TCP_SYN) !== 0)) {
    report.skip(MID_STREAM, where, text);
    return;
  }
  const start = e.eventType === 'flow' && typeof e.flowStart === 'string' ? e.flowStart : e.timestamp;
  const eventTime = typeof start === 'string' ? parseIsoMs(start) : NaN;
  if (Number.isNaN(eventTime)) {
    report.skip('bad timestamp', where, text);
    return;
  }
  const srcIp = typeof e.srcIp === 'string' ? canonicalIp(e.srcIp) : undefined;
  const dstIp = typeof e.destIp === 'string' ? canonicalIp(e.destIp) : undefined;
  if (srcIp === undefined || dstIp === undefined) {
    report.skip('bad address', where, text);
    return;
  }
  if (protocol === 'ICMP') {
    if (isEchoRequest(typeof e.icmpType === 'number' ? e.icmpType : undefined)) out.push({ eventTime, protocol, srcIp, srcPort: 0, dstIp, dstPort: 0, outcome: outcomeOf(e) });
    return;
  }
  const srcPort = portOf(e.srcPort);
  const dstPort = portOf(e.destPort);
  if (srcPort === undefined || dstPort === undefined) {
    report.skip('bad port', where, text);
    return;
  }
  out.push({ eventTime, protocol, srcIp, srcPort, dstIp, dstPort, outcome: outcomeOf(e) });
}

function outcomeOf(e: EveFields): Outcome {
  if (e.eventType !== 'flow') return 'UNKNOWN';
  if (typeof e.tcpFlagsTc === 'string') {
    const flags = hexFlags(e.tcpFlagsTc);
    if ((flags & 0x12) === 0x12) return 'ESTABLISHED';
    if ((flags & 0x04) !== 0) return 'REJECTED';
    return 'ATTEMPT';
  }
  return typeof e.pktsToClient === 'number' && e.pktsToClient > 0 ? 'ESTABLISHED' : 'ATTEMPT';
}

const hexFlags = (text: string): number => hexFlagsIn(text, 0, text.length);

const own = (o: unknown, key: string): unknown => (typeof o === 'object' && o !== null && Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined);
/** A field as the parser uses it: a string, a number, absent (undefined), or anything else (null), as scanEve gives it. */
const scalar = (v: unknown): unknown => (typeof v === 'string' || typeof v === 'number' || v === undefined ? v : null);

/** The fields the sensor reads, from any JSON.parse result: undefined when it is not an object. */
export function eveFieldsOf(parsed: unknown): EveFields | undefined {
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const flow = own(parsed, 'flow');
  const tcp = own(parsed, 'tcp');
  return {
    timestamp: scalar(own(parsed, 'timestamp')),
    eventType: scalar(own(parsed, 'event_type')),
    srcIp: scalar(own(parsed, 'src_ip')),
    srcPort: scalar(own(parsed, 'src_port')),
    destIp: scalar(own(parsed, 'dest_ip')),
    destPort: scalar(own(parsed, 'dest_port')),
    proto: scalar(own(parsed, 'proto')),
    icmpType: scalar(own(parsed, 'icmp_type')),
    flowStart: scalar(own(flow, 'start')),
    pktsToClient: scalar(own(flow, 'pkts_toclient')),
    tcpFlagsTc: scalar(own(tcp, 'tcp_flags_tc')),
    tcpFlagsTs: scalar(own(tcp, 'tcp_flags_ts')),
  };
}
