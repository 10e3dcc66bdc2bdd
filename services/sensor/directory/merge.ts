/**
 * A k-way merge by event time of several event streams (one per file), each
 * in event-time order as captures and logs nearly are. It hands on runs: the
 * events of one stream up to the next head of any other, so a long stretch
 * of one sensor goes on in one piece. A stream out of order inside itself is
 * passed on in its own order (the detector's allowed lateness absorbs it).
 */
import type { ConnectionEvent } from '../../common/avro/generated-types.ts';

export interface Run {
  /** Index of the stream the events come from. */
  readonly source: number;
  readonly events: ConnectionEvent[];
}

interface Cursor {
  readonly it: AsyncIterator<ConnectionEvent[]>;
  buffer: ConnectionEvent[];
  pos: number;
  done: boolean;
}

/** Makes sure the cursor has an event at `pos`, unless its stream has ended. */
async function fill(c: Cursor): Promise<void> {
  while (!c.done && c.pos >= c.buffer.length) {
    const next = await c.it.next();
    if (next.done === true) c.done = true;
    else {
      c.buffer = next.value;
      c.pos = 0;
    }
  }
}

const headTime = (c: Cursor): number => c.buffer[c.pos]?.eventTime ?? Number.POSITIVE_INFINITY;

export async function* mergeByTime(streams: readonly AsyncIterable<ConnectionEvent[]>[]): AsyncGenerator<Run> {
  const cursors: Cursor[] = streams.map((s) => ({ it: s[Symbol.asyncIterator](), buffer: [], pos: 0, done: false }));
  await Promise.all(cursors.map(fill));
  for (;;) {
    // k is the number of files of one replay (tens): a linear scan beats a heap's bookkeeping.
    let first = -1;
    let second = Number.POSITIVE_INFINITY;
    for (let i = 0; i < cursors.length; i++) {
      const c = cursors[i];
      if (c === undefined || c.done) continue;
      const t = headTime(c);
      if (first === -1 || t < headTime(cursors[first] ?? c)) {
        if (first !== -1) second = Math.min(second, headTime(cursors[first] ?? c));
        first = i;
      } else second = Math.min(second, t);
    }
    const c = cursors[first];
    if (c === undefined) return;
    let end = c.pos + 1;
    while (end < c.buffer.length && (c.buffer[end]?.eventTime ?? 0) <= second) end++;
    const events = c.pos === 0 && end === c.buffer.length ? c.buffer : c.buffer.slice(c.pos, end);
    c.pos = end;
    yield { source: first, events };
    await fill(c);
  }
}
