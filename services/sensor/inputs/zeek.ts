/**
 * Zeek conn.log, TSV or JSON (one object per line; both may be mixed across
 * rotated files, so each line is checked).
 *
 * TSV: the "#fields" header names the columns (Zeek docs, "Zeek Logs"):
 *   #fields ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service ... conn_state ...
 * and the other header lines say how they are written: "#separator \x09"
 * (the column separator, escaped; this line is always space-separated),
 * "#empty_field (empty)" (an empty string), "#unset_field -" (no value).
 * "#set_separator ," separates the elements of set and vector columns
 * (tunnel_parents); no column the sensor reads is one. A line with more or
 * fewer columns than #fields names is skipped ("wrong number of columns"):
 * its values cannot be told apart.
 * JSON: the same names as keys; "ts" is epoch seconds, or ISO 8601 with
 * LogAscii::json_timestamps = JSON::TS_ISO8601.
 * For ICMP, Zeek puts the ICMP type in id.orig_p and the code in id.resp_p.
 *
 * conn_state -> outcome (Zeek base/protocols/conn/main.zeek):
 *   S0 "attempt seen, no reply", RSTOS0, SH -> ATTEMPT;
 *   REJ "attempt rejected" -> REJECTED;
 *   SF S1 S2 S3 RSTO RSTR -> ESTABLISHED;
 *   OTH RSTRH SHR (no SYN from the originator seen) -> UNKNOWN.
 */
import type { ConnectionEvent, Outcome } from '../../common/avro/generated-types.ts';
import { canonicalIp } from '../ip.ts';
import type { InputReport, Where } from '../report.ts';
import { isEchoRequest, portOf, protocolOf } from './lines.ts';
import type { LineParser } from './lines.ts';
import { parseEpochSecondsMs, parseIsoMs } from './timestamps.ts';

const OUTCOMES: Readonly<Record<string, Outcome>> = {
  S0: 'ATTEMPT', RSTOS0: 'ATTEMPT', SH: 'ATTEMPT',
  REJ: 'REJECTED',
  SF: 'ESTABLISHED', S1: 'ESTABLISHED', S2: 'ESTABLISHED', S3: 'ESTABLISHED', RSTO: 'ESTABLISHED', RSTR: 'ESTABLISHED',
};

type Field = 'ts' | 'id.orig_h' | 'id.orig_p' | 'id.resp_h' | 'id.resp_p' | 'proto' | 'conn_state';
type Raw = Partial<Record<Field, unknown>>;
/** Column index of each wanted field (-1: absent, which reads as undefined). */
interface Columns {
  readonly ts: number;
  readonly origH: number;
  readonly origP: number;
  readonly respH: number;
  readonly respP: number;
  readonly proto: number;
  readonly state: number;
}

/** The TSV header's settings (Zeek's defaults until a header line says otherwise). */
interface Header {
  separator: string;
  empty: string;
  unset: string;
  /** Column names and count, from #fields. */
  names: readonly string[] | undefined;
  columns: Columns | undefined;
}

/** Zeek writes a separator character in header values as \xNN (e.g. "#separator \x09"). */
function unescape(text: string): string {
  return text.includes('\\x') ? text.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text;
}

/** Reads a "#..." line into the header. */
function headerLine(text: string, h: Header): void {
  if (text.startsWith('#separator ')) {
    h.separator = unescape(text.slice('#separator '.length));
    return;
  }
  const sep = h.separator;
  const cut = text.indexOf(sep);
  if (cut < 0) return;
  const key = text.slice(1, cut);
  const value = text.slice(cut + sep.length);
  if (key === 'empty_field') h.empty = unescape(value);
  else if (key === 'unset_field') h.unset = unescape(value);
  else if (key === 'fields') {
    const names = value.split(sep);
    const at = (f: Field): number => names.indexOf(f);
    h.names = names;
    h.columns = { ts: at('ts'), origH: at('id.orig_h'), origP: at('id.orig_p'), respH: at('id.resp_h'), respP: at('id.resp_p'), proto: at('proto'), state: at('conn_state') };
  }
}

export function zeekConnParser(): LineParser {
  const h: Header = { separator: '\t', empty: '(empty)', unset: '-', names: undefined, columns: undefined };
  return {
    line(text, where, out, report) {
      if (text.startsWith('{')) {
        convert(JSON.parse(text) as Raw, text, where, out, report);
        return;
      }
      if (text.startsWith('#')) {
        headerLine(text, h);
        return;
      }
      const c = h.columns;
      if (c === undefined || h.names === undefined) {
        report.skip('TSV line before #fields header', where, text);
        return;
      }
      const cells = text.split(h.separator);
      if (cells.length !== h.names.length) {
        report.skip('wrong number of columns', where, text);
        return;
      }
      const cell = (i: number): string | undefined => {
        const v = cells[i];
        return v === undefined || v === h.unset ? undefined : v === h.empty ? '' : unescape(v);
      };
      const raw: Raw = {
        ts: cell(c.ts),
        'id.orig_h': cell(c.origH),
        'id.orig_p': cell(c.origP),
        'id.resp_h': cell(c.respH),
        'id.resp_p': cell(c.respP),
        proto: cell(c.proto),
        conn_state: cell(c.state),
      };
      convert(raw, text, where, out, report);
    },
  };
}

function convert(raw: Raw, text: string, where: Where, out: ConnectionEvent[], report: InputReport): void {
  const protocol = typeof raw.proto === 'string' ? protocolOf(raw.proto) : undefined;
  if (protocol === undefined) {
    report.skip('unknown protocol', where, text);
    return;
  }
  const ts = raw.ts;
  const eventTime = typeof ts === 'number' ? Math.round(ts * 1000) : typeof ts === 'string' ? (ts.includes('-') ? parseIsoMs(ts) : parseEpochSecondsMs(ts)) : NaN;
  if (Number.isNaN(eventTime)) {
    report.skip('bad timestamp', where, text);
    return;
  }
  const srcIp = typeof raw['id.orig_h'] === 'string' ? canonicalIp(raw['id.orig_h']) : undefined;
  const dstIp = typeof raw['id.resp_h'] === 'string' ? canonicalIp(raw['id.resp_h']) : undefined;
  if (srcIp === undefined || dstIp === undefined) {
    report.skip('bad address', where, text);
    return;
  }
  let srcPort = portOf(raw['id.orig_p']);
  let dstPort = portOf(raw['id.resp_p']);
  if (srcPort === undefined || dstPort === undefined) {
    report.skip('bad port', where, text);
    return;
  }
  if (protocol === 'ICMP') {
    if (!isEchoRequest(srcPort)) return;
    srcPort = 0;
    dstPort = 0;
  }
  const state = typeof raw.conn_state === 'string' ? raw.conn_state : '';
  out.push({ eventTime, protocol, srcIp, srcPort, dstIp, dstPort, outcome: OUTCOMES[state] ?? 'UNKNOWN' });
}
