/**
 * kafkajs checksums every record batch it produces with CRC-32C (Kafka
 * protocol, "Record Batch": the crc field covers the batch from its
 * attributes to the end) in plain JavaScript, one byte per table lookup.
 * Profiled, that loop was ~35 % of a sensor's CPU while producing (and most
 * of a detector Bloom snapshot's cost). kafkajs offers no hook for it, so
 * this module puts @node-rs/crc32's SIMD implementation (the same
 * polynomial, 0x1EDC6F41 reflected) in Node's module cache under the path
 * kafkajs requires it from, before kafkajs is loaded. transport.ts imports
 * this module first; nothing else needs to know.
 *
 * kafkajs 2.2.4 is unmaintained, so the path will not move under us; should
 * it, or should the native binding not load on some platform, kafkajs keeps
 * its own implementation (`active` says which is in use). The broker
 * verifies every batch's CRC, so a wrong checksum could not go unnoticed:
 * every integration test would fail with CORRUPT_MESSAGE.
 */
import { createRequire, Module } from 'node:module';

const require = createRequire(import.meta.url);

/** kafkajs's own implementation's module (index.js wraps the loop in crc32C.js). */
export const KAFKAJS_CRC32C_MODULE = 'kafkajs/src/protocol/recordBatch/crc32C/index.js';

function install(): 'native' | 'kafkajs' {
  let native: (input: Buffer) => number;
  let path: string;
  try {
    native = (require('@node-rs/crc32') as { crc32c: (input: Buffer) => number }).crc32c;
    path = require.resolve(KAFKAJS_CRC32C_MODULE);
  } catch {
    return 'kafkajs';
  }
  if (require.cache[path] !== undefined) return 'kafkajs'; // kafkajs already loaded: too late to swap.
  const m = new Module(path);
  m.filename = path;
  // Unsigned, as kafkajs's wrapper returns it.
  m.exports = (buffer: Buffer): number => native(buffer) >>> 0;
  m.loaded = true;
  require.cache[path] = m;
  return 'native';
}

/** Which CRC-32C kafkajs uses in this process. */
export const active = install();
