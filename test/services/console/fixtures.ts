/** Console test set-up: an in-memory store, its materialiser, and records as the detector writes them. */
import { alertCodec, portStatsCodec } from '../../../services/common/avro/codecs.ts';
import type { Alert, PortStats } from '../../../services/common/avro/generated-types.ts';
import type { InRecord } from '../../../services/common/kafka/transport.ts';
import { LiveFeed } from '../../../services/console/live.ts';
import { Materialiser } from '../../../services/console/materialiser.ts';
import { AlertStore } from '../../../services/console/store/alerts.ts';
import { openDatabase } from '../../../services/console/store/database.ts';
import { OffsetStore } from '../../../services/console/store/offsets.ts';
import { PortStatsStore } from '../../../services/console/store/port-stats.ts';

export const TOPICS = { portStats: 't.port-stats.v1', alerts: 't.alerts.v1' } as const;
/** A fixed "now": tests never depend on today's date. */
export const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
export const MINUTE = 60_000;
export const DAY = 86_400_000;

export function stats(overrides: Partial<PortStats> = {}): PortStats {
  return {
    protocol: 'TCP', port: 445, windowStart: NOW - MINUTE, windowEnd: NOW, attempts: 100, distinctSources: 10, distinctDestinations: 50,
    sensors: 2, baselineSources: 10, surging: false, newSources: 1, dscSources: 0, scanners: 0, ...overrides,
  };
}

export function statsRecord(s: PortStats, offset: number, partition = 0): InRecord {
  return { topic: TOPICS.portStats, partition, offset: String(offset), timestamp: s.windowEnd, key: `${s.protocol.toLowerCase()}/${s.port}`, value: portStatsCodec.encode(s), headers: {} };
}

export function alertRecord(a: Alert, offset: number, partition = 0): InRecord {
  return { topic: TOPICS.alerts, partition, offset: String(offset), timestamp: a.eventTime, key: a.alertId, value: alertCodec.encode(a), headers: {} };
}

export interface ConsoleTestStore {
  readonly db: ReturnType<typeof openDatabase>;
  readonly portStats: PortStatsStore;
  readonly alerts: AlertStore;
  readonly live: LiveFeed;
  readonly materialiser: Materialiser;
  readonly bad: InRecord[];
}

export function testStore(path = ':memory:', retentionMs = 7 * DAY): ConsoleTestStore {
  const db = openDatabase(path);
  const portStats = new PortStatsStore(db);
  const alerts = new AlertStore(db);
  const live = new LiveFeed();
  const bad: InRecord[] = [];
  const materialiser = new Materialiser({
    db, topics: TOPICS, portStats, alerts, offsets: new OffsetStore(db), live, retentionMs, now: () => NOW,
    onBadRecord: (r) => bad.push(r),
  });
  return { db, portStats, alerts, live, materialiser, bad };
}
