import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Spool } from '../../../services/sensor/spool.ts';
import type { SpooledRecord } from '../../../services/sensor/spool.ts';
import { testDir } from '../../support/temp-dir.ts';

const rec = (i: number, size = 100): SpooledRecord => ({ key: `tcp/${i % 7}`, id: `s/run/${i}`, value: Buffer.alloc(size, i & 255), events: 3 });
const dir = (): string => testDir('sensor-spool');

function drainAll(spool: Spool): SpooledRecord[] {
  const out: SpooledRecord[] = [];
  for (let r = spool.read(10); r !== undefined; r = spool.read(10)) {
    out.push(...r.records);
    spool.ack(r);
  }
  return out;
}

describe('disk spool', () => {
  it('keeps a record\'s trace context across a restart, and reads records written without one', () => {
    const d = dir();
    const first = new Spool({ dir: d, maxBytes: 1024 * 1024 });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    first.append([{ ...rec(1), traceparent }, rec(2)]);
    first.close();
    const back = drainAll(new Spool({ dir: d, maxBytes: 1024 * 1024 }));
    expect(back.map((r) => [r.id, r.events, r.traceparent, r.value.length])).toEqual([
      ['s/run/1', 3, traceparent, 100],
      ['s/run/2', 3, undefined, 100],
    ]);
  });

  it('gives records back in order, once, and is empty after', () => {
    const spool = new Spool({ dir: dir(), maxBytes: 1024 * 1024 });
    for (let i = 0; i < 50; i++) spool.append([rec(i)]);
    expect(spool.depth()).toMatchObject({ records: 50, events: 150 });
    expect(drainAll(spool).map((r) => r.id)).toEqual(Array.from({ length: 50 }, (_, i) => `s/run/${i}`));
    expect(spool.isEmpty()).toBe(true);
    expect(spool.read(10)).toBeUndefined();
  });

  it('reads no more bytes than asked for, but always at least one record, and loses none', () => {
    const spool = new Spool({ dir: dir(), maxBytes: 64 * 1024 * 1024 });
    // 40 records of 20 KB, then one of 600 KB (larger than a read's byte bound alone).
    spool.append([...Array.from({ length: 40 }, (_, i) => rec(i, 20_000)), rec(40, 600_000)]);
    const sizes: number[] = [];
    const ids: string[] = [];
    for (let r = spool.read(200, 100_000); r !== undefined; r = spool.read(200, 100_000)) {
      sizes.push(r.records.length);
      ids.push(...r.records.map((x) => x.id));
      spool.ack(r);
    }
    // Four 20 KB records (plus framing) fit in 100,000 bytes; the large record comes alone.
    expect(sizes).toEqual([4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 1]);
    expect(ids).toEqual(Array.from({ length: 41 }, (_, i) => `s/run/${i}`));
  });

  it('survives a restart: delivered records stay delivered, the rest come back', () => {
    const d = dir();
    const first = new Spool({ dir: d, maxBytes: 1024 * 1024 });
    for (let i = 0; i < 30; i++) first.append([rec(i)]);
    const r = first.read(10);
    if (r === undefined) throw new Error('empty');
    first.ack(r);
    first.close();
    const second = new Spool({ dir: d, maxBytes: 1024 * 1024 });
    expect(second.depth().records).toBe(20);
    expect(drainAll(second).map((x) => x.id)).toEqual(Array.from({ length: 20 }, (_, i) => `s/run/${i + 10}`));
  });

  it('ignores a torn last frame after a crash', () => {
    const d = dir();
    const first = new Spool({ dir: d, maxBytes: 1024 * 1024 });
    first.append([rec(1), rec(2)]);
    first.close();
    const seg = readdirSync(d).find((f) => f.endsWith('.seg')) ?? '';
    appendFileSync(join(d, seg), Buffer.from([200, 0, 0, 0, 1, 2, 3]));
    const second = new Spool({ dir: d, maxBytes: 1024 * 1024 });
    expect(drainAll(second).map((x) => x.id)).toEqual(['s/run/1', 's/run/2']);
  });

  it('stays under its bound by dropping the oldest records, and counts them', () => {
    let droppedRecords = 0;
    let droppedEvents = 0;
    const spool = new Spool({
      dir: dir(),
      maxBytes: 1024 * 1024,
      onDrop: (records, events) => {
        droppedRecords += records;
        droppedEvents += events;
      },
    });
    for (let i = 0; i < 400; i++) spool.append([rec(i, 10_000)]);
    const depth = spool.depth();
    expect(depth.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(droppedRecords + depth.records).toBe(400);
    expect(droppedEvents).toBe(droppedRecords * 3);
    const left = drainAll(spool);
    // The newest are kept.
    expect(left.at(-1)?.id).toBe('s/run/399');
    expect(left[0]?.id).toBe(`s/run/${droppedRecords}`);
  });
});
