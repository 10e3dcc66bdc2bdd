import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PartialTimer } from '../../../../services/detector/stream/partial-timer.ts';

/** vitest's fake timers move Date.now with the timers they run. */
const fakeClock = (): number => Date.now();

describe('PartialTimer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ships a quiet partition\'s partials when they fall due, and again while more are due', async () => {
    const shipped: [number, number][] = [];
    let next: number | undefined = 4000;
    const timer = new PartialTimer((p) => {
      shipped.push([p, Date.now()]);
      const due = next;
      next = undefined;
      return Promise.resolve(due);
    }, fakeClock);
    timer.batchStarted(3);
    timer.batchEnded(3, 2000);
    await vi.advanceTimersByTimeAsync(1999);
    expect(shipped).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(shipped).toEqual([[3, 2000]]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(shipped).toEqual([
      [3, 2000],
      [3, 4000],
    ]);
    timer.close();
  });

  it('never ships while a batch of the partition is being applied, and a new batch re-arms it', async () => {
    const shipped: number[] = [];
    const timer = new PartialTimer((p) => {
      shipped.push(p);
      return Promise.resolve(undefined);
    }, fakeClock);
    timer.batchStarted(1);
    timer.batchEnded(1, 1000);
    timer.batchStarted(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(shipped).toEqual([]);
    timer.batchEnded(1, 6000);
    timer.batchEnded(2, undefined);
    await vi.advanceTimersByTimeAsync(1000);
    expect(shipped).toEqual([1]);
    timer.forget(1);
    timer.close();
  });

  it('does nothing after close or forget', async () => {
    const ship = vi.fn(() => Promise.resolve(undefined));
    const timer = new PartialTimer(ship, fakeClock);
    timer.batchEnded(0, 100);
    timer.batchEnded(1, 100);
    timer.forget(0);
    timer.close();
    await vi.advanceTimersByTimeAsync(1000);
    expect(ship).not.toHaveBeenCalled();
  });
});
