import { describe, expect, it } from 'vitest';
import { crc64Avro, fingerprintBytes } from '../../../../services/common/avro/fingerprint.ts';

// Reference values computed independently with Python fastavro 1.x
// (fastavro.schema.fingerprint(canonical_form, 'CRC-64-AVRO')), which prints the
// little-endian bytes; "null" also matches Avro Java's SchemaNormalization
// test data (7195948357588979594 = 0x63dd24e7cc258f8a).
const vectors: [string, string][] = [
  ['"null"', '8a8f25cce724dd63'],
  ['"int"', '8f5c393f1ad57572'],
  ['{"name":"A","type":"record","fields":[{"name":"x","type":"long"}]}', '0877d13a295d3a64'],
];

describe('crc64Avro', () => {
  it.each(vectors)('fingerprints %s like the reference implementations', (schema, hexLe) => {
    expect(fingerprintBytes(crc64Avro(schema)).toString('hex')).toBe(hexLe);
  });

  it('gives the Avro Java value for "null" as a number', () => {
    expect(crc64Avro('"null"')).toBe(7195948357588979594n);
  });
});
