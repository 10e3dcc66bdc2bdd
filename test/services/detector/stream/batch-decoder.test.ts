import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../support/errors.ts';
import { connectionBatchCodec } from '../../../../services/common/avro/codecs.ts';
import type { ConnectionBatch } from '../../../../services/common/avro/generated-types.ts';
import { readSchemaFile } from '../../../../services/common/avro/schema-files.ts';
import { CommonErrorCodes } from '../../../../services/common/errors.ts';
import { BatchDecoder } from '../../../../services/detector/stream/batch-decoder.ts';
import type { EventBatch } from '../../../../services/detector/event-batch.ts';
import { PROTOCOLS } from '../../../../services/detector/event-batch.ts';
import { hash32 } from '../../../../services/detector/sketch/hash.ts';

const sample: ConnectionBatch = {
  sensorId: 'sensor-é1',
  events: [
    { eventTime: Date.parse('2026-11-27T08:00:00.123Z'), protocol: 'TCP', srcIp: '203.0.113.7', srcPort: 40001, dstIp: '198.18.0.1', dstPort: 445, outcome: 'REJECTED' },
    { eventTime: 1, protocol: 'UDP', srcIp: '2001:db8::1', srcPort: 0, dstIp: 'pseudonym-ß', dstPort: 53, outcome: 'UNKNOWN' },
    { eventTime: 2 ** 52 + 3, protocol: 'ICMP', srcIp: '', srcPort: -5, dstIp: '10.0.0.1', dstPort: 0, outcome: 'ESTABLISHED' },
  ],
};

/** What the detector reads of a batch, as plain data. */
function view(b: EventBatch) {
  return {
    sensorId: b.sensorId,
    events: Array.from({ length: b.count }, (_, i) => ({
      time: b.time[i], protocol: PROTOCOLS[b.protocol[i] ?? 0], port: b.port[i], src: b.srcHash[i], dst: b.dstHash[i], source: b.source(i),
    })),
  };
}

const expected = (batch: ConnectionBatch) => ({
  sensorId: batch.sensorId,
  events: batch.events.map((e) => ({ time: e.eventTime, protocol: e.protocol, port: e.dstPort, src: hash32(e.srcIp), dst: hash32(e.dstIp), source: e.srcIp })),
});

const zz = (n: number): Buffer => avro.Type.forSchema('long').toBuffer(n);
const str = (text: string): Buffer => Buffer.concat([zz(Buffer.byteLength(text)), Buffer.from(text)]);

describe('BatchDecoder', () => {
  it('reads what avsc reads, with the hashes of the address strings (ASCII and not)', () => {
    const decoder = new BatchDecoder();
    expect(view(decoder.decode(connectionBatchCodec.encode(sample)))).toEqual(expected(sample));
    // The batch is reused: a smaller one after a larger one holds only its own events.
    const one = { sensorId: 's', events: sample.events.slice(0, 1) };
    expect(view(decoder.decode(connectionBatchCodec.encode(one)))).toEqual(expected(one));
  });

  it('reads arrays written in several blocks, with and without byte sizes', () => {
    const type = avro.Type.forSchema(readSchemaFile('connection-batch') as avro.Schema);
    const header = connectionBatchCodec.encode({ sensorId: 'x', events: [] }).subarray(0, 10);
    const item = (i: number) => type.toBuffer({ sensorId: '', events: [sample.events[i]] }).subarray(2, -1);
    const body = Buffer.concat([
      str('s'),
      zz(2), item(0), item(1),
      zz(-1), zz(item(2).length), item(2),
      zz(0),
    ]);
    const record = Buffer.concat([header, body]);
    expect(view(new BatchDecoder().decode(record))).toEqual(expected({ sensorId: 's', events: sample.events }));
    expect(connectionBatchCodec.decode(record).events).toHaveLength(3);
  });

  it('refuses what avsc refuses, with the same dead-letter codes', () => {
    const decoder = new BatchDecoder();
    const good = connectionBatchCodec.encode(sample);
    expect(codeOf(() => decoder.decode(Buffer.from('this is not avro')))).toBe(CommonErrorCodes.AVRO_BAD_HEADER);
    const otherSchema = Buffer.from(good);
    otherSchema[5] = (otherSchema[5] ?? 0) ^ 0xff;
    expect(codeOf(() => decoder.decode(otherSchema))).toBe(CommonErrorCodes.AVRO_UNKNOWN_FINGERPRINT);
    expect(codeOf(() => decoder.decode(good.subarray(0, good.length - 7)))).toBe(CommonErrorCodes.AVRO_CORRUPT_BODY);
    expect(codeOf(() => decoder.decode(Buffer.concat([good, Buffer.from([0])])))).toBe(CommonErrorCodes.AVRO_CORRUPT_BODY);
    // An enum index past the symbols (protocol 7 of 3), in an otherwise well-formed body.
    const event = (protocol: number) => Buffer.concat([zz(5), zz(protocol), str('1.2.3.4'), zz(1), str('5.6.7.8'), zz(445), zz(0)]);
    const record = (protocol: number) => Buffer.concat([good.subarray(0, 10), str('s'), zz(1), event(protocol), zz(0)]);
    expect(view(decoder.decode(record(1))).events[0]).toMatchObject({ protocol: 'UDP', port: 445, time: 5 });
    expect(codeOf(() => decoder.decode(record(7)))).toBe(CommonErrorCodes.AVRO_CORRUPT_BODY);
    // After refusing, it still reads good records.
    expect(view(decoder.decode(good))).toEqual(expected(sample));
  });
});
