/**
 * Which files of a replay directory belong to which sensor, in which format.
 * One file per vantage point (or several: a sensor's pcap and its Zeek log),
 * named `<sensor-id>.<kind>[.<more>]`: the sensor id is the name up to its
 * first dot, the kind the first later part that names a format:
 *
 *   edge-1.pcap   dmz.pcapng.gz   lab.conn.log   office.zeek.log.gz
 *   ids-2.eve.json   fw.netfilter.log   isc.dshield.txt
 *
 * Files of no known kind (a README, a checksum) are left out with a note.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sensorError, SensorErrorCodes } from '../errors.ts';
import type { InputReport } from '../report.ts';

export type FileKind = 'pcap' | 'zeek' | 'eve' | 'netfilter' | 'dshield';

export interface SensorFile {
  readonly sensorId: string;
  readonly kind: FileKind;
  readonly path: string;
}

const KIND_OF_PART: Readonly<Record<string, FileKind>> = {
  pcap: 'pcap', pcapng: 'pcap', cap: 'pcap',
  zeek: 'zeek', conn: 'zeek',
  eve: 'eve', json: 'eve', jsonl: 'eve',
  netfilter: 'netfilter', iptables: 'netfilter',
  dshield: 'dshield',
};

/** The sensor id and kind a file name stands for; undefined: not a sensor file. */
export function sensorFileOf(name: string): { sensorId: string; kind: FileKind } | undefined {
  const [sensorId = '', ...parts] = name.split('.');
  const kind = parts.map((p) => KIND_OF_PART[p.toLowerCase()]).find((k) => k !== undefined);
  return sensorId === '' || kind === undefined ? undefined : { sensorId, kind };
}

/** The sensor files of `dir`, in name order. */
export function listSensorFiles(dir: string, report: InputReport): SensorFile[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isFile()).map((d) => d.name).sort();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw sensorError(SensorErrorCodes.INPUT_UNREADABLE, `cannot read the directory ${dir}: ${String(code)}`, { file: dir, code }, err);
  }
  const files: SensorFile[] = [];
  for (const name of names) {
    const f = sensorFileOf(name);
    if (f === undefined) report.note(`${name}: not named <sensor-id>.<pcap|pcapng|zeek|conn|eve|json|netfilter|dshield>...: left out`);
    else files.push({ ...f, path: join(dir, name) });
  }
  if (files.length === 0) throw sensorError(SensorErrorCodes.INPUT_UNREADABLE, `no sensor files in ${dir}`, { file: dir });
  return files;
}
