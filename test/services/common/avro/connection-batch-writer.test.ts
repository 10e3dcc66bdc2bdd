import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { ConnectionBatchCodec, ConnectionBatchWriter, WRITTEN_FOR } from '../../../../services/common/avro/connection-batch-writer.ts';
import { connectionBatchCodec } from '../../../../services/common/avro/codecs.ts';
import { fingerprintBytes } from '../../../../services/common/avro/fingerprint.ts';
import { readSchemaFile } from '../../../../services/common/avro/schema-files.ts';
import type { ConnectionBatch, ConnectionEvent } from '../../../../services/common/avro/generated-types.ts';

const schema = readSchemaFile('connection-batch');
const reference = avro.Type.forSchema(schema as avro.Schema);
const header = Buffer.concat([Buffer.from([0xc3, 0x01]), fingerprintBytes(WRITTEN_FOR)]);
/** What avsc writes: the reference for every byte. */
const avscBytes = (b: unknown): Buffer => Buffer.concat([header, reference.toBuffer(b)]);
/** avsc's largest long (its isSafeLong); 2^53 - 1 is refused. */
const MAX = 9007199254740990;

/** Byte equality, shown (when it fails) as the lengths and the bytes around the first difference: vitest's diff of whole large buffers takes minutes. */
function expectBytes(actual: Buffer | undefined, expected: Buffer, name?: string): void {
  if (actual?.equals(expected)) return;
  let at = 0;
  while (actual !== undefined && at < actual.length && actual[at] === expected[at]) at++;
  const around = (b: Buffer | undefined): string | undefined => b?.subarray(Math.max(0, at - 16), at + 16).toString('hex');
  expect({ length: actual?.length, at, bytes: around(actual) }, name).toEqual({ length: expected.length, at, bytes: around(expected) });
}

/** mulberry32: a seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rnd = random(20261127);
const int = (n: number): number => Math.floor(rnd() * n);
const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)] as T;

const ipv4 = (): string => `${int(256)}.${int(256)}.${int(256)}.${int(256)}`;
const ipv6 = (): string => `2001:db8:${int(65536).toString(16)}::${int(65536).toString(16)}`;
// Well-formed text only (round-trips): Latin-1, 2- and 3-byte characters, a surrogate pair; short and over 64 bytes.
const unicode = (): string => pick(['é', 'ü1.2.3.4', '东京-', '😀', 'sensör-']).repeat(1 + int(pick([2, 30])));
const address = (): string => pick([ipv4, ipv4, ipv6, unicode, () => '', () => `${ipv4()}${'x'.repeat(70)}`])();
const times = [0, 1, -1, 0x3fffffff, 0x40000000, -0x40000000, -0x40000001, 2 ** 31, -(2 ** 31), 2 ** 52, -(2 ** 52), MAX, 1_700_000_000_123];
const time = (): number => (rnd() < 0.5 ? pick(times) : rnd() < 0.5 ? 1_700_000_000_000 + int(1e9) : Math.floor(rnd() * 2 ** 52) * (rnd() < 0.5 ? -1 : 1));
const ports = [0, 1, 445, 65535, -1, 2 ** 31 - 1, -(2 ** 31), 0x3fffffff, 0x40000000];
const port = (): number => (rnd() < 0.3 ? pick(ports) : int(65536));
const protocols = ['TCP', 'UDP', 'ICMP'] as const;
const outcomes = ['UNKNOWN', 'ATTEMPT', 'REJECTED', 'ESTABLISHED'] as const;

function event(): ConnectionEvent {
  const e: ConnectionEvent = { eventTime: time(), protocol: pick(protocols), srcIp: address(), srcPort: port(), dstIp: address(), dstPort: port(), outcome: pick(outcomes) };
  // outcome has a default: avsc writes UNKNOWN when the field is absent.
  if (rnd() < 0.05) delete (e as Partial<ConnectionEvent>).outcome;
  return e;
}

function batch(size: number): ConnectionBatch {
  const sensorId = rnd() < 0.01 ? pick(['s'.repeat(70_000), 'ß'.repeat(40_000)]) : pick([() => 'edge-1', () => '', () => 's'.repeat(int(500)), unicode])();
  return { sensorId, events: Array.from({ length: size }, event) };
}

/** The batch as decoding gives it back: an absent outcome reads as its default. */
const decoded = (b: ConnectionBatch): ConnectionBatch => ({ ...b, events: b.events.map((e) => ({ ...e, outcome: (e as Partial<ConnectionEvent>).outcome ?? 'UNKNOWN' })) });

describe('ConnectionBatchWriter', () => {
  it('writes the same bytes as avsc for thousands of random batches, of 0 to 5,000 events, and they decode back', { timeout: 60_000 }, () => {
    const writer = new ConnectionBatchWriter();
    const sizes = [0, 1, 500, 5000, 1, 0, 500];
    for (let k = 0; k < 3000; k++) {
      const b = batch(k < sizes.length ? (sizes[k] ?? 0) : int(k % 10 === 0 ? 600 : 12));
      const expected = avscBytes(b);
      // A Buffer, not undefined: the fast path itself wrote it.
      expectBytes(writer.write(b), expected);
      expectBytes(connectionBatchCodec.encode(b), expected);
      if (k % 10 === 0) expect(connectionBatchCodec.decode(expected)).toEqual(decoded(b));
    }
  });

  it('writes what avsc writes where avsc writes another value: lone surrogates, longs below -2^52', () => {
    const writer = new ConnectionBatchWriter();
    const e: ConnectionEvent = { eventTime: 1, protocol: 'TCP', srcIp: '1.2.3.4', srcPort: 1, dstIp: '5.6.7.8', dstPort: 2, outcome: 'ATTEMPT' };
    // avsc's own loop (64 bytes or fewer) writes a lone surrogate as its three bytes; Node's UTF-8 writer (longer) as U+FFFD.
    for (const text of ['\ud800', 'a\udc00b', '\ud83d', `${'x'.repeat(70)}\ud800`, `\udfff${'é'.repeat(40)}`, '\ud800\ud800\udc00']) {
      const b = { sensorId: text, events: [{ ...e, srcIp: text, dstIp: `${text}${text}` }] };
      expect(writer.write(b)).toEqual(avscBytes(b));
    }
    expect(avscBytes({ sensorId: '\ud800', events: [] }).subarray(10)).toEqual(Buffer.from([6, 0xed, 0xa0, 0x80, 0]));
    // -n * 2 - 1 rounds in floating point for n below -2^52 (avsc then writes a neighbouring value).
    for (const t of [-MAX, -(2 ** 52) - 1, -(2 ** 52) - 3, -(2 ** 53) + 3, -0]) {
      const b = { sensorId: 'edge', events: [{ ...e, eventTime: t, srcPort: -0 }] };
      expect(writer.write(b)).toEqual(avscBytes(b));
    }
  });

  it('grows its buffer for strings of multi-byte characters (up to 3 bytes per UTF-16 unit)', () => {
    const wide = '东'.repeat(30_000);
    const e: ConnectionEvent = { eventTime: 1, protocol: 'UDP', srcIp: wide, srcPort: 1, dstIp: '', dstPort: 2, outcome: 'ESTABLISHED' };
    for (const b of [{ sensorId: '', events: [e] }, { sensorId: wide, events: [] }, { sensorId: 'edge', events: [e, { ...e, dstIp: wide }, e] }]) {
      // A new writer each time: its buffer starts at 64 KiB, less than the 90,000 bytes of one such string.
      expectBytes(new ConnectionBatchWriter().write(b), avscBytes(b));
    }
  });

  it('leaves to avsc every value avsc refuses, and the codec throws avsc\'s error', { timeout: 60_000 }, () => {
    const writer = new ConnectionBatchWriter();
    const good = batch(500);
    const e = good.events[250] as ConnectionEvent;
    const bad: Record<string, unknown> = {
      'sensorId missing': { events: good.events },
      'sensorId a number': { sensorId: 7, events: good.events },
      'sensorId null': { sensorId: null, events: good.events },
      'events missing': { sensorId: 'edge' },
      'events an object': { sensorId: 'edge', events: { length: 1, 0: e } },
      'events a string': { sensorId: 'edge', events: 'abc' },
      'batch null': null,
      'batch a string': 'batch',
    };
    const eventValues: Record<string, unknown[]> = {
      eventTime: [undefined, null, 1.5, -0.5, NaN, Infinity, -Infinity, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, MAX + 1, '1700000000000', 1n, true],
      protocol: [undefined, null, 'SCTP', 'tcp', 0, '', 'UNKNOWN'],
      srcIp: [undefined, null, 123, Buffer.from('1.2.3.4'), ['1.2.3.4']],
      srcPort: [undefined, null, 1.5, NaN, 2 ** 31, -(2 ** 31) - 1, '80', true, 80n],
      dstIp: [undefined, null, 7, {}],
      dstPort: [undefined, 0.1, 4294967296, '445', false],
      outcome: [null, 'FAILED', 'attempt', 0, 'TCP'],
    };
    for (const [field, values] of Object.entries(eventValues)) {
      for (const value of values) {
        const events: unknown[] = [...good.events];
        events[250] = { ...e, [field]: value };
        bad[`${field} ${String(value)}`] = { sensorId: good.sensorId, events };
      }
    }
    for (const item of [null, undefined, 5, 'event']) {
      const events: unknown[] = [...good.events];
      events[250] = item;
      bad[`event ${String(item)}`] = { sensorId: 'edge', events };
    }
    const sparse = new Array<unknown>(good.events.length);
    good.events.forEach((item, k) => {
      if (k !== 250) sparse[k] = item;
    });
    bad['a hole in events'] = { sensorId: 'edge', events: sparse };

    for (const [name, value] of Object.entries(bad)) {
      let avscError: unknown;
      try {
        reference.toBuffer(value);
      } catch (err) {
        avscError = err;
      }
      expect(avscError, name).toBeInstanceOf(Error);
      expect(writer.write(value as ConnectionBatch), name).toBeUndefined();
      expect(() => connectionBatchCodec.encode(value as ConnectionBatch), name).toThrow(avscError);
      // The writer is still right after giving up half-way through a batch.
      expectBytes(writer.write(good), avscBytes(good), name);
    }
  });

  it('leaves to avsc the odd values avsc accepts, and the codec writes avsc\'s bytes for them', () => {
    const writer = new ConnectionBatchWriter();
    const e = { eventTime: 5, protocol: 'UDP', srcIp: '1.2.3.4', srcPort: 1, dstIp: '5.6.7.8', dstPort: 2, outcome: 'REJECTED' };
    // avsc looks symbols up in a plain object: ['UDP'] is the key 'UDP', 'toString' an inherited property.
    for (const odd of [{ protocol: ['UDP'] }, { protocol: 'toString' }, { outcome: ['ESTABLISHED'] }, { outcome: '__proto__' }]) {
      const b = { sensorId: 'edge', events: [e, { ...e, ...odd }] } as unknown as ConnectionBatch;
      expect(writer.write(b)).toBeUndefined();
      expect(connectionBatchCodec.encode(b)).toEqual(avscBytes(b));
    }
  });
});

describe('ConnectionBatchCodec', () => {
  it('has the fast writer for schemas/connection-batch.avsc (after a schema change, update the writer and WRITTEN_FOR)', () => {
    expect(connectionBatchCodec.fingerprint).toBe(WRITTEN_FOR);
    expect(connectionBatchCodec).toBeInstanceOf(ConnectionBatchCodec);
    expect(connectionBatchCodec instanceof ConnectionBatchCodec && connectionBatchCodec.fast).toBe(true);
  });

  it('does not use the fast writer for another schema, and encodes it as avsc does', () => {
    const b: ConnectionBatch = { sensorId: 'edge', events: [{ eventTime: 1, protocol: 'TCP', srcIp: '1.2.3.4', srcPort: 1, dstIp: '5.6.7.8', dstPort: 2, outcome: 'ATTEMPT' }] };
    const changed = JSON.parse(JSON.stringify(schema)) as { fields: [unknown, { type: { items: { fields: { type: { symbols?: string[] } }[] } } }] };
    const protocol = changed.fields[1].type.items.fields[1];
    if (protocol === undefined) throw new Error('schema changed: no protocol field');
    // Symbols reordered: the fast writer's indexes would be wrong (TCP is now 1).
    protocol.type.symbols = ['UDP', 'TCP', 'ICMP'];
    const codec = new ConnectionBatchCodec(changed);
    expect(codec.fingerprint).not.toBe(WRITTEN_FOR);
    expect(codec.fast).toBe(false);
    const bytes = codec.encode(b);
    expect(bytes).toEqual(Buffer.concat([Buffer.from([0xc3, 0x01]), fingerprintBytes(codec.fingerprint), avro.Type.forSchema(changed as unknown as avro.Schema).toBuffer(b)]));
    expect(codec.decode(bytes)).toEqual(b);
  });
});
