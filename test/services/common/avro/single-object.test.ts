import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { codeOf } from '../../../support/errors.ts';
import { readSchemaFile } from '../../../../services/common/avro/schema-files.ts';
import { advisoryCodec, alertCodec, connectionBatchCodec, deliveryAttemptCodec, deliveryTaskCodec, portStatsCodec, silenceCodec, subscriptionCodec } from '../../../../services/common/avro/codecs.ts';
import { fingerprintBytes } from '../../../../services/common/avro/fingerprint.ts';
import { SingleObjectCodec } from '../../../../services/common/avro/single-object.ts';
import { CommonErrorCodes } from '../../../../services/common/errors.ts';
import { sampleAlert } from '../../../support/alerts.ts';
import type { ConnectionBatch } from '../../../../services/common/avro/generated-types.ts';

const batch: ConnectionBatch = {
  sensorId: 'edge-1',
  events: [
    { eventTime: 1_700_000_000_123, protocol: 'TCP', srcIp: '203.0.113.9', srcPort: 51000, dstIp: '198.18.0.7', dstPort: 445, outcome: 'REJECTED' },
    { eventTime: 1_700_000_000_456, protocol: 'TCP', srcIp: '2001:db8::1', srcPort: 40000, dstIp: '198.18.0.8', dstPort: 445, outcome: 'UNKNOWN' },
  ],
};

describe('SingleObjectCodec', () => {
  it('encodes records of any size the same as avsc, after larger and smaller ones, and keeps its header', () => {
    const schema = readSchemaFile('connection-batch');
    const codec = new SingleObjectCodec<ConnectionBatch>(schema);
    const reference = avro.Type.forSchema(schema as avro.Schema);
    const events = Array.from({ length: 5000 }, (_, k) => ({ ...batch.events[k % 2], eventTime: 1_700_000_000_000 + k, srcPort: k } as ConnectionBatch['events'][number]));
    for (const value of [batch, { sensorId: 'edge-2', events }, batch, { sensorId: 'edge-3', events: events.slice(0, 40) }]) {
      const bytes = codec.encode(value);
      expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
      expect(bytes.subarray(2, 10)).toEqual(fingerprintBytes(codec.fingerprint));
      expect(codec.decode(bytes)).toEqual(value);
      expect(bytes.subarray(10)).toEqual(reference.toBuffer(value));
    }
    expect(() => codec.encode({ sensorId: 'x', events: [{ ...batch.events[0], protocol: 'SCTP' }] } as unknown as ConnectionBatch)).toThrow();
    expect(codec.decode(codec.encode(batch))).toEqual(batch);
  });

  it('writes the single-object header: C3 01 then the little-endian schema fingerprint', () => {
    const buf = connectionBatchCodec.encode(batch);
    expect(buf.subarray(0, 2)).toEqual(Buffer.from([0xc3, 0x01]));
    // Reference fingerprints of schemas/*.avsc computed with Python fastavro.
    expect(buf.subarray(2, 10).toString('hex')).toBe('a53d3dd861e57289');
    
    const le = (fp: bigint): string => fingerprintBytes(fp).toString('hex');
    expect(le(alertCodec.fingerprint)).toBe('dc7a15832a9948a7');
    expect(le(advisoryCodec.fingerprint)).toBe('54c140bd5b312394');
    expect(le(portStatsCodec.fingerprint)).toBe('1cc6665d4bea71f5');
    expect(le(subscriptionCodec.fingerprint)).toBe('4ef535826597937f');
    expect(le(silenceCodec.fingerprint)).toBe('7030561764a8a184');
    expect(le(deliveryAttemptCodec.fingerprint)).toBe('bd7843a4fab83d34');
    expect(le(deliveryTaskCodec.fingerprint)).toBe('9bcb33b1da5f2608');
  });

  it('round-trips a batch of events', () => {
    expect(connectionBatchCodec.decode(connectionBatchCodec.encode(batch))).toEqual(batch);
  });

  it('rejects bytes that are not single-object encoded', () => {
    expect(codeOf(() => connectionBatchCodec.decode(Buffer.from('{"sensorId":"x"}')))).toBe(CommonErrorCodes.AVRO_BAD_HEADER);
    expect(codeOf(() => connectionBatchCodec.decode(Buffer.from([0xc3])))).toBe(CommonErrorCodes.AVRO_BAD_HEADER);
  });

  it('rejects a record written with an unknown schema', () => {
    const alertBytes = alertCodec.encode(sampleAlert());
    expect(codeOf(() => connectionBatchCodec.decode(alertBytes))).toBe(CommonErrorCodes.AVRO_UNKNOWN_FINGERPRINT);
  });

  it('rejects a corrupt or truncated body', () => {
    const buf = connectionBatchCodec.encode(batch);
    expect(codeOf(() => connectionBatchCodec.decode(buf.subarray(0, buf.length - 5)))).toBe(CommonErrorCodes.AVRO_CORRUPT_BODY);
    expect(codeOf(() => connectionBatchCodec.decode(Buffer.concat([buf, Buffer.from([1, 2, 3])])))).toBe(CommonErrorCodes.AVRO_CORRUPT_BODY);
  });

  it('reads records of an older writer schema into the current one', () => {
    const v1 = { type: 'record', name: 'Thing', fields: [{ name: 'id', type: 'string' }] };
    const v2 = { type: 'record', name: 'Thing', fields: [{ name: 'id', type: 'string' }, { name: 'n', type: 'int', default: 7 }] };
    const oldWriter = new SingleObjectCodec<{ id: string }>(v1);
    const reader = new SingleObjectCodec<{ id: string; n: number }>(v2, [v1]);
    expect(reader.decode(oldWriter.encode({ id: 'x' }))).toEqual({ id: 'x', n: 7 });
  });

  it('refuses to encode a value that does not match the schema', () => {
    expect(() => connectionBatchCodec.encode({ sensorId: 'x', events: [{ eventTime: 'soon' }] } as unknown as ConnectionBatch)).toThrow();
  });
});
