import { describe, expect, it, onTestFinished } from 'vitest';
import { listSensorFiles, sensorFileOf } from '../../../../services/sensor/directory/listing.ts';
import { SensorErrorCodes } from '../../../../services/sensor/errors.ts';
import { InputReport } from '../../../../services/sensor/report.ts';
import { sensorDirectory } from '../../../support/sensor-files.ts';

describe('replay directory listing', () => {
  it('reads the sensor id up to the first dot and the kind from the first part that names a format', () => {
    expect(sensorFileOf('edge-1.pcap')).toEqual({ sensorId: 'edge-1', kind: 'pcap' });
    expect(sensorFileOf('dmz.pcapng.gz')).toEqual({ sensorId: 'dmz', kind: 'pcap' });
    expect(sensorFileOf('lab.conn.log')).toEqual({ sensorId: 'lab', kind: 'zeek' });
    expect(sensorFileOf('office.zeek.log.gz')).toEqual({ sensorId: 'office', kind: 'zeek' });
    expect(sensorFileOf('ids-2.eve.json')).toEqual({ sensorId: 'ids-2', kind: 'eve' });
    expect(sensorFileOf('fw.NETFILTER.log')).toEqual({ sensorId: 'fw', kind: 'netfilter' });
    expect(sensorFileOf('isc.dshield.txt')).toEqual({ sensorId: 'isc', kind: 'dshield' });
    expect(sensorFileOf('README.md')).toBeUndefined();
    expect(sensorFileOf('.pcap')).toBeUndefined();
  });

  it('lists the sensor files in name order and notes the others', () => {
    const { dir, remove } = sensorDirectory({ 'b.conn.log': '', 'a.pcap': '', 'notes.txt': '' });
    onTestFinished(remove);
    const report = new InputReport();
    expect(listSensorFiles(dir, report).map((f) => [f.sensorId, f.kind])).toEqual([['a', 'pcap'], ['b', 'zeek']]);
    expect(report.notes.join('\n')).toContain('notes.txt');
  });

  it('refuses a directory without sensor files, and one that is not there, with a stable code', () => {
    const { dir, remove } = sensorDirectory({ 'notes.txt': '' });
    onTestFinished(remove);
    expect(() => listSensorFiles(dir, new InputReport())).toThrow(expect.objectContaining({ code: SensorErrorCodes.INPUT_UNREADABLE }) as Error);
    expect(() => listSensorFiles(`${dir}/missing`, new InputReport())).toThrow(expect.objectContaining({ code: SensorErrorCodes.INPUT_UNREADABLE }) as Error);
  });
});
