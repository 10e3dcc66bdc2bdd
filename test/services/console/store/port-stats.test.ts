import { describe, expect, it } from 'vitest';
import { portId, portOf } from '../../../../services/console/store/database.ts';
import { pruneExpired } from '../../../../services/console/store/retention.ts';
import { DAY, MINUTE, NOW, stats, testStore } from '../fixtures.ts';

describe('PortStatsStore', () => {
  it('answers a port series oldest first within the range, column by column', () => {
    const s = testStore();
    for (const m of [3, 1, 2]) s.portStats.add(stats({ windowStart: NOW - m * MINUTE, distinctSources: m }));
    s.portStats.add(stats({ port: 23, windowStart: NOW - MINUTE, distinctSources: 99 }));
    const series = s.portStats.series(portId('TCP', 445), NOW - 2 * MINUTE, NOW);
    expect(series.windowStart).toEqual([NOW - 2 * MINUTE, NOW - MINUTE]);
    expect(series.sources).toEqual([2, 1]);
  });

  it('answers long ranges in buckets that keep each bucket\'s peak minute', () => {
    const s = testStore();
    const start = NOW - 10 * MINUTE;
    [5, 9, 3, 4, 50, 6, 2, 8, 1, 7].forEach((sources, m) => {
      s.portStats.add(stats({ windowStart: start + m * MINUTE, distinctSources: sources, baselineSources: m }));
    });
    const series = s.portStats.series(portId('TCP', 445), start, NOW, 5 * MINUTE);
    expect(series.windowStart).toEqual([start, start + 5 * MINUTE]);
    expect(series.sources).toEqual([50, 8]);
    expect(series.baseline).toEqual([2, 7]);
  });

  it('ranks ports by the surge ratio of their latest window', () => {
    const s = testStore();
    s.portStats.add(stats({ port: 445, distinctSources: 300, baselineSources: 10 }));
    s.portStats.add(stats({ port: 23, distinctSources: 50, baselineSources: 25 }));
    s.portStats.add(stats({ port: 22, windowStart: NOW - 2 * MINUTE, distinctSources: 5, baselineSources: 0 }));
    // An older window arriving late does not replace the port's latest one.
    s.portStats.add(stats({ port: 23, windowStart: NOW - 5 * MINUTE, distinctSources: 500, baselineSources: 1 }));
    expect(s.portStats.ranking(0, 10).map((r) => [portOf(r.portId).port, r.ratio])).toEqual([[445, 30], [22, 5], [23, 2]]);
  });

  it('keeps one row per port and window when a window is read twice', () => {
    const s = testStore();
    s.portStats.add(stats({ distinctSources: 10 }));
    s.portStats.add(stats({ distinctSources: 12 }));
    expect(s.portStats.series(portId('TCP', 445), 0, NOW).sources).toEqual([12]);
  });

  it('forgets windows and alert states past the retention', () => {
    const s = testStore();
    s.portStats.add(stats({ windowStart: NOW - 8 * DAY }));
    s.portStats.add(stats());
    expect(pruneExpired(s, NOW, 7 * DAY)).toEqual({ windows: 1, alertStates: 0 });
    expect(s.portStats.series(portId('TCP', 445), 0, NOW).windowStart).toEqual([NOW - MINUTE]);
  });
});
