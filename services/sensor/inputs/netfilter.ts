/**
 * Linux netfilter LOG target lines (iptables/nftables "log", ufw), as the
 * kernel prints them into kern.log, journalctl or dmesg:
 *
 *   Nov 27 09:12:01 fw kernel: [1234.5678] [UFW BLOCK] IN=eth0 OUT= MAC=...
 *     SRC=203.0.113.5 DST=198.51.100.7 LEN=44 ... PROTO=TCP SPT=51234 DPT=445
 *     WINDOW=1024 RES=0x00 SYN URGP=0
 *
 * ICMP lines carry TYPE= and CODE= instead of ports (echo request: TYPE=8,
 * ICMPv6 TYPE=128). The stamp is BSD syslog ("Nov 27 09:12:01", taken as
 * UTC) or RFC 3339 (rsyslog's high-precision format).
 *
 * Only the opening packet of a connection is an attempt: TCP lines without
 * SYN, or with SYN and ACK, are passed over. Lines whose log prefix says
 * BLOCK, DROP, REJECT or DENY are REJECTED; others ATTEMPT.
 */
import { canonicalIp } from '../ip.ts';
import { isEchoRequest, portOf, protocolOf } from './lines.ts';
import type { LineParser } from './lines.ts';
import { parseIsoMs, parseSyslogMs } from './timestamps.ts';
import type { Clock } from '../../common/clock.ts';

const BLOCKED = /BLOCK|DROP|REJECT|DENY/i;

/** The value of ` KEY=value` in `text` ('' when present but empty), or undefined. */
function field(text: string, key: string): string | undefined {
  const at = text.indexOf(` ${key}=`);
  if (at < 0) return undefined;
  const from = at + key.length + 2;
  const end = text.indexOf(' ', from);
  return text.slice(from, end < 0 ? text.length : end);
}

export function netfilterParser(nowMs: Clock): LineParser {
  return {
    line(text, where, out, report) {
      const src = field(text, 'SRC');
      if (src === undefined) {
        report.skip('not a netfilter LOG line', where, text);
        return;
      }
      const srcIp = canonicalIp(src);
      const dst = field(text, 'DST');
      const dstIp = dst === undefined ? undefined : canonicalIp(dst);
      if (srcIp === undefined || dstIp === undefined) {
        report.skip('bad address', where, text);
        return;
      }
      const protoText = field(text, 'PROTO');
      const protocol = protoText === undefined ? undefined : protocolOf(protoText);
      if (protocol === undefined) {
        report.skip('unknown protocol', where, text);
        return;
      }
      const firstSpace = text.indexOf(' ');
      const eventTime = /^\d{4}-/.test(text) ? parseIsoMs(text.slice(0, firstSpace)) : parseSyslogMs(text, nowMs());
      if (Number.isNaN(eventTime)) {
        report.skip('bad timestamp', where, text);
        return;
      }
      const prefix = text.slice(0, text.indexOf(' IN='));
      const outcome = BLOCKED.test(prefix) ? 'REJECTED' : 'ATTEMPT';
      if (protocol === 'ICMP') {
        const type = field(text, 'TYPE');
        if (isEchoRequest(type === undefined ? undefined : Number(type))) out.push({ eventTime, protocol, srcIp, srcPort: 0, dstIp, dstPort: 0, outcome });
        return;
      }
      const srcPort = portOf(field(text, 'SPT'));
      const dstPort = portOf(field(text, 'DPT'));
      if (srcPort === undefined || dstPort === undefined) {
        report.skip('bad port', where, text);
        return;
      }
      if (protocol === 'TCP' && (!/ SYN( |$)/.test(text) || / ACK( |$)/.test(text))) return;
      out.push({ eventTime, protocol, srcIp, srcPort, dstIp, dstPort, outcome });
    },
  };
}
