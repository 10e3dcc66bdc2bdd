/**
 * A directory of per-sensor files for the directory replay tests: a Zeek
 * conn.log written from events, and a pcap of SYNs from the same sources.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ConnectionEvent, Outcome } from '../../services/common/avro/generated-types.ts';
import { pcapFile } from './pcap.ts';

export interface Probe {
  readonly timeMs: number;
  readonly src: string;
  readonly dst: string;
  readonly port: number;
}

const FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'duration', 'orig_bytes', 'resp_bytes', 'conn_state', 'local_orig', 'local_resp', 'missed_bytes', 'history', 'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes', 'tunnel_parents'];

const STATE: Readonly<Record<Outcome, string>> = { ATTEMPT: 'S0', REJECTED: 'REJ', ESTABLISHED: 'SF', UNKNOWN: 'OTH' };

/** A Zeek TSV conn.log of connection events (their outcome as conn_state). */
export function zeekConnLogOf(events: readonly ConnectionEvent[]): string {
  const head = ['#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn', `#fields\t${FIELDS.join('\t')}`];
  const lines = events.map((e, i) =>
    [(e.eventTime / 1000).toFixed(6), `C${i}`, e.srcIp, e.srcPort, e.dstIp, e.dstPort, e.protocol.toLowerCase(), '-', '-', '-', '-', STATE[e.outcome], 'F', 'T', 0, 'S', 1, 44, 0, 0, '-'].join('\t'));
  return `${[...head, ...lines].join('\n')}\n`;
}

/** A Zeek TSV conn.log of unanswered TCP SYNs (conn_state S0). */
export function zeekConnLog(probes: readonly Probe[]): string {
  return zeekConnLogOf(probes.map((p, i) => ({ eventTime: p.timeMs, protocol: 'TCP', srcIp: p.src, srcPort: 40000 + (i % 20000), dstIp: p.dst, dstPort: p.port, outcome: 'ATTEMPT' })));
}

/** A pcap (Ethernet) of the probes' SYNs. */
export function synCapture(probes: readonly Probe[]): Buffer {
  return pcapFile('ethernet', probes.map((p, i) => ({ timeMs: p.timeMs, src: p.src, dst: p.dst, proto: 'tcp' as const, sport: 40000 + (i % 20000), dport: p.port, flags: 'S' })));
}

/** Writes `files` (name → contents; a name ending .gz is gzipped) into a new temp directory; returns it and its clean-up. */
export function sensorDirectory(files: Readonly<Record<string, string | Buffer>>): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'portent-replay-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), name.endsWith('.gz') ? gzipSync(body) : body);
  return {
    dir,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
