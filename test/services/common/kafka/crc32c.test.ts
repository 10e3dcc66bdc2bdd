import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { active, KAFKAJS_CRC32C_MODULE } from '../../../../services/common/kafka/crc32c.ts';
import '../../../../services/common/kafka/transport.ts';

const require = createRequire(import.meta.url);
/** kafkajs's own byte-at-a-time loop, loaded from its file (the swap replaces only the module kafkajs requires). */
const kafkajsLoop = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (b: Buffer) => number;

describe('kafkajs CRC-32C', () => {
  it('is the native implementation once the transport is loaded', () => {
    expect(active).toBe('native');
    const inUse = require(KAFKAJS_CRC32C_MODULE) as (b: Buffer) => number;
    expect(inUse).not.toBe(kafkajsLoop);
    // The standard check value of CRC-32C (Castagnoli): "123456789" -> 0xE3069283.
    expect(inUse(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('gives the checksums kafkajs computed itself, unsigned, for any length', () => {
    const inUse = require(KAFKAJS_CRC32C_MODULE) as (b: Buffer) => number;
    for (const length of [0, 1, 7, 8, 63, 64, 65, 1000, 4096, 65_537, 1 << 20]) {
      const bytes = randomBytes(length);
      expect(inUse(bytes)).toBe(kafkajsLoop(bytes));
      // A view into a larger buffer (kafkajs checksums a slice of its encoder's buffer).
      const wide = randomBytes(length + 32);
      expect(inUse(wide.subarray(16, 16 + length))).toBe(kafkajsLoop(wide.subarray(16, 16 + length)));
    }
  });
});
