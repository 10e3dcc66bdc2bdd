/**
 * The DShield firewall-log submission format: one tab-separated line per
 * logged packet,
 *
 *   date <TAB> submitter id <TAB> count <TAB> source IP <TAB> source port
 *     <TAB> target IP <TAB> target port <TAB> protocol <TAB> TCP flags
 *
 *   2026-11-27 09:12:01 -05:00	0	1	203.0.113.5	51234	198.51.100.7	445	TCP	S
 *
 * Protocol is a name or an IP protocol number; for ICMP the ports hold the
 * ICMP type and code (echo request: type 8). "count" says how many identical
 * packets the line stands for: it becomes that many events (at most
 * MAX_COUNT, so one bad line cannot flood the topic). Lines starting with
 * "#" are comments. A firewall log does not tell the outcome: ATTEMPT.
 */
import { canonicalIp } from '../ip.ts';
import { isEchoRequest, portOf, protocolOf } from './lines.ts';
import type { LineParser } from './lines.ts';
import { parseIsoMs } from './timestamps.ts';

const MAX_COUNT = 1000;

export function dshieldParser(): LineParser {
  return {
    line(text, where, out, report) {
      if (text.startsWith('#')) return;
      const cells = text.split('\t');
      if (cells.length < 8) {
        report.skip('too few fields', where, text);
        return;
      }
      const [date = '', , countText = '', src = '', spt = '', dst = '', dpt = '', proto = '', flags = ''] = cells;
      const eventTime = parseIsoMs(date.trim());
      if (Number.isNaN(eventTime)) {
        report.skip('bad timestamp', where, text);
        return;
      }
      const srcIp = canonicalIp(src.trim());
      const dstIp = canonicalIp(dst.trim());
      if (srcIp === undefined || dstIp === undefined) {
        report.skip('bad address', where, text);
        return;
      }
      const protocol = protocolOf(proto.trim());
      if (protocol === undefined) {
        report.skip('unknown protocol', where, text);
        return;
      }
      let srcPort = portOf(spt.trim());
      let dstPort = portOf(dpt.trim());
      if (srcPort === undefined || dstPort === undefined) {
        report.skip('bad port', where, text);
        return;
      }
      if (protocol === 'ICMP') {
        if (!isEchoRequest(srcPort)) return;
        srcPort = 0;
        dstPort = 0;
      }
      // A TCP line with flags but no SYN is not the opening of a connection.
      if (protocol === 'TCP' && flags.trim() !== '' && !flags.includes('S')) return;
      const count = Number(countText);
      const n = Number.isInteger(count) && count >= 1 ? Math.min(count, MAX_COUNT) : 1;
      for (let i = 0; i < n; i++) out.push({ eventTime, protocol, srcIp, srcPort, dstIp, dstPort, outcome: 'ATTEMPT' });
    },
  };
}
