import avro from 'avsc';
import type { Type, Resolver } from 'avsc';
import { CommonErrorCodes, PortentError } from '../errors.ts';
import { crc64Avro, fingerprintBytes } from './fingerprint.ts';

/**
 * Avro single-object encoding (Avro 1.11 spec, "Single-object encoding"):
 *
 *   - a two-byte marker, C3 01, to show that the message is Avro and uses
 *     this single-record format (version 1);
 *   - the 8-byte little-endian CRC-64-AVRO fingerprint of the object's schema;
 *   - the Avro object encoded using Avro's binary encoding.
 *
 * The fingerprint is taken over the schema's Parsing Canonical Form, which
 * avsc's `schema()` returns by default.
 */
const MAGIC_0 = 0xc3;
const MAGIC_1 = 0x01;
const HEADER_LENGTH = 10;

interface Writer {
  readonly type: Type;
  readonly resolver: Resolver | undefined;
}

export class SingleObjectCodec<T> {
  readonly name: string;
  readonly fingerprint: bigint;
  readonly #type: Type;
  readonly #header: Buffer;
  readonly #writers = new Map<bigint, Writer>();
  /** Header, then the last record written; reused by every encode (this process is single-threaded). */
  #scratch: Buffer;

  /**
   * @param schema the schema this process writes and reads with.
   * @param olderSchemas earlier writer schemas still readable (schema evolution):
   *   their records are resolved into the current schema.
   */
  constructor(schema: unknown, olderSchemas: readonly unknown[] = []) {
    this.#type = avro.Type.forSchema(schema as avro.Schema);
    this.name = this.#type.name ?? 'anonymous';
    this.fingerprint = crc64Avro(JSON.stringify(this.#type.schema()));
    this.#header = Buffer.concat([Buffer.from([MAGIC_0, MAGIC_1]), fingerprintBytes(this.fingerprint)]);
    this.#writers.set(this.fingerprint, { type: this.#type, resolver: undefined });
    this.#scratch = Buffer.alloc(64 * 1024);
    this.#header.copy(this.#scratch, 0);
    for (const older of olderSchemas) {
      const type = avro.Type.forSchema(older as avro.Schema);
      const fp = crc64Avro(JSON.stringify(type.schema()));
      this.#writers.set(fp, { type, resolver: this.#type.createResolver(type) });
    }
  }

  /**
   * Encodes `value`; throws if it does not match the schema.
   *
   * Written once into a scratch buffer that grows to the largest record seen,
   * then copied out: avsc's `toBuffer` writes into a fixed 1 KiB buffer and,
   * for anything larger (every batch of connection events), encodes the whole
   * value a second time, which made encoding cost twice what it should.
   */
  encode(value: T): Buffer {
    let end = this.#type.encode(value, this.#scratch, HEADER_LENGTH);
    if (end < 0) {
      // Too small by -end bytes: grow (with room to spare) and write again, once.
      this.#scratch = Buffer.allocUnsafe(Math.max(2 * this.#scratch.length, 2 * (this.#scratch.length - end)));
      this.#header.copy(this.#scratch, 0);
      end = this.#type.encode(value, this.#scratch, HEADER_LENGTH);
    }
    const out = Buffer.allocUnsafe(end);
    this.#scratch.copy(out, 0, 0, end);
    return out;
  }

  /**
   * Decodes one record. Throws a PortentError whose code says why a record is
   * unreadable (bad header, unknown fingerprint, corrupt body): consumers send
   * such records to the dead-letter topic with that code.
   */
  decode(buf: Buffer): T {
    if (buf.length < HEADER_LENGTH || buf[0] !== MAGIC_0 || buf[1] !== MAGIC_1) {
      throw new PortentError(CommonErrorCodes.AVRO_BAD_HEADER, `not an Avro single-object record (${buf.length} bytes)`, {
        fields: { schema: this.name, length: buf.length },
      });
    }
    const fp = buf.readBigUInt64LE(2);
    const writer = this.#writers.get(fp);
    if (writer === undefined) {
      throw new PortentError(CommonErrorCodes.AVRO_UNKNOWN_FINGERPRINT, `unknown writer schema fingerprint ${fp.toString(16)} for ${this.name}`, {
        fields: { schema: this.name, fingerprint: fp.toString(16) },
      });
    }
    try {
      return this.#type.fromBuffer(buf.subarray(HEADER_LENGTH), writer.resolver) as T;
    } catch (cause) {
      throw new PortentError(CommonErrorCodes.AVRO_CORRUPT_BODY, `corrupt ${this.name} body: ${(cause as Error).message}`, {
        cause,
        fields: { schema: this.name },
      });
    }
  }
}
