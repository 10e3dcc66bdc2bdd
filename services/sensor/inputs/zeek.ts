/**
 * Zeek conn.log, TSV or JSON (one object per line; both may be mixed across
 * rotated files, so each line is checked).
 *
 * TSV: the "#fields" header names the columns (Zeek docs, "Zeek Logs"):
 *   #fields ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto service ... conn_state ...
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

export function zeekConnParser(): LineParser {
  let columns: Columns | undefined;
  let last = 0;
  return {
    line(text, where, out, report) {
      if (text.startsWith('{')) {
        convert(JSON.parse(text) as Raw, text, where, out, report);
        return;
      }
      if (text.startsWith('#')) {
        if (text.startsWith('#fields\t')) {
          const names = text.split('\t').slice(1);
          const at = (f: Field): number => names.indexOf(f);
          columns = { ts: at('ts'), origH: at('id.orig_h'), origP: at('id.orig_p'), respH: at('id.resp_h'), respP: at('id.resp_p'), proto: at('proto'), state: at('conn_state') };
          last = Math.max(columns.ts, columns.origH, columns.origP, columns.respH, columns.respP, columns.proto, columns.state);
        }
        return;
      }
      if (columns === undefined) {
        report.skip('TSV line before #fields header', where, text);
        return;
      }
      const cells = text.split('\t', last + 1);
      const c = columns;
      const raw: Raw = {
        ts: cells[c.ts],
        'id.orig_h': cells[c.origH],
        'id.orig_p': cells[c.origP],
        'id.resp_h': cells[c.respH],
        'id.resp_p': cells[c.respP],
        proto: cells[c.proto],
        conn_state: cells[c.state],
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
