import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../../services/console/live.ts';
import { portId } from '../../../services/console/store/database.ts';
import { sampleAlert } from '../../support/alerts.ts';
import { DAY, MINUTE, NOW, TOPICS, alertRecord, stats, statsRecord, testStore } from './fixtures.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('Materialiser', () => {
  it('stores port stats and alert states and publishes them live', () => {
    const s = testStore();
    const events: LiveEvent[] = [];
    s.live.subscribe((e) => events.push(e));
    s.materialiser.apply(TOPICS.portStats, 0, [statsRecord(stats({ distinctSources: 90, baselineSources: 10, surging: true }), 0)]);
    s.materialiser.apply(TOPICS.alerts, 0, [alertRecord(sampleAlert({ eventTime: NOW }), 0)]);
    expect(s.portStats.series(portId('TCP', 445), 0, NOW).sources).toEqual([90]);
    expect(s.alerts.states('al_0123456789abcdef01234567').map((a) => a.state)).toEqual(['FIRING']);
    expect(events.map((e) => e.type)).toEqual(['stats', 'alert']);
    expect(events[0]).toMatchObject({ windows: [{ port: 445, ratio: 9, surging: true }] });
  });

  it('skips records it already stored, so a redelivered batch does not count twice', () => {
    const s = testStore();
    const records = [statsRecord(stats({ windowStart: NOW - 2 * MINUTE }), 0), statsRecord(stats(), 1)];
    expect(s.materialiser.apply(TOPICS.portStats, 0, records).stored).toBe(2);
    expect(s.materialiser.apply(TOPICS.portStats, 0, records)).toEqual({ stored: 0, skipped: 2 });
    expect(s.materialiser.resumeAt(TOPICS.portStats, 0)).toBe(2n);
  });

  it('drops windows and alerts older than the retention', () => {
    const s = testStore(':memory:', DAY);
    s.materialiser.apply(TOPICS.portStats, 0, [statsRecord(stats({ windowStart: NOW - 2 * DAY }), 0), statsRecord(stats(), 1)]);
    s.materialiser.apply(TOPICS.alerts, 0, [alertRecord(sampleAlert({ eventTime: NOW - 2 * DAY }), 0)]);
    expect(s.portStats.series(portId('TCP', 445), 0, NOW).windowStart).toEqual([NOW - MINUTE]);
    expect(s.alerts.recent({ limit: 10 })).toEqual([]);
  });

  it('skips an unreadable record and carries on with the batch', () => {
    const s = testStore();
    const broken = { ...statsRecord(stats(), 0), value: Buffer.from('not avro') };
    expect(s.materialiser.apply(TOPICS.portStats, 0, [broken, statsRecord(stats(), 1)]).stored).toBe(1);
    expect(s.bad.map((r) => r.offset)).toEqual(['0']);
  });

  it('resumes from the offsets stored with the rows after a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-store-'));
    dirs.push(dir);
    const first = testStore(join(dir, 'store.sqlite'));
    first.materialiser.apply(TOPICS.portStats, 2, [statsRecord(stats(), 41, 2)]);
    first.db.close();
    const again = testStore(join(dir, 'store.sqlite'));
    expect(again.materialiser.resumeAt(TOPICS.portStats, 2)).toBe(42n);
    expect(again.portStats.series(portId('TCP', 445), 0, NOW).sources).toEqual([10]);
    again.db.close();
  });
});
