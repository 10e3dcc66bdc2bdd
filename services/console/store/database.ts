/**
 * The console's embedded store: one SQLite file (node:sqlite, built into
 * Node 24) holding what the console materialised from Kafka. It is a cache:
 * delete the file and the console rebuilds it from the topics (the offsets
 * it has applied are stored in the same transactions as the rows).
 *
 * Why SQLite and not DuckDB: bench/console-store.bench.ts and the console
 * README ("Store") have the figures.
 */
import { DatabaseSync } from 'node:sqlite';

/**
 * Ports are stored as one integer, protocol × 65,536 + port, so the primary
 * key of a 7-day series is two integers and a chart is one range scan.
 */
export const PROTOCOLS = ['TCP', 'UDP', 'ICMP'] as const;
export type ProtocolName = (typeof PROTOCOLS)[number];

export function portId(protocol: ProtocolName, port: number): number {
  return PROTOCOLS.indexOf(protocol) * 65_536 + port;
}

export function portOf(id: number): { protocol: ProtocolName; port: number } {
  return { protocol: PROTOCOLS[Math.floor(id / 65_536)] ?? 'TCP', port: id % 65_536 };
}

const DDL = `
CREATE TABLE IF NOT EXISTS port_stats (
  port_id INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  window_end INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  sources INTEGER NOT NULL,
  destinations INTEGER NOT NULL,
  sensors INTEGER NOT NULL,
  baseline REAL NOT NULL,
  surging INTEGER NOT NULL,
  new_sources INTEGER NOT NULL,
  dsc_sources INTEGER NOT NULL,
  scanners INTEGER NOT NULL,
  PRIMARY KEY (port_id, window_start)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS port_latest (
  port_id INTEGER PRIMARY KEY,
  window_start INTEGER NOT NULL,
  sources INTEGER NOT NULL,
  baseline REAL NOT NULL,
  ratio REAL NOT NULL,
  surging INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS port_latest_ratio ON port_latest (ratio DESC);
CREATE TABLE IF NOT EXISTS alert_states (
  alert_id TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  port_id INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  event_time INTEGER NOT NULL,
  body TEXT NOT NULL,
  PRIMARY KEY (alert_id, sequence)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS alert_states_port ON alert_states (port_id, window_start);
CREATE TABLE IF NOT EXISTS alert_latest (
  alert_id TEXT PRIMARY KEY,
  sequence INTEGER NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  port_id INTEGER NOT NULL,
  event_time INTEGER NOT NULL,
  body TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS alert_latest_time ON alert_latest (event_time DESC);
CREATE TABLE IF NOT EXISTS offsets (
  topic TEXT NOT NULL,
  partition INTEGER NOT NULL,
  next TEXT NOT NULL,
  PRIMARY KEY (topic, partition)
) WITHOUT ROWID;
`;

/** Opens (creating if needed) the store at `path`; ':memory:' for tests. */
export function openDatabase(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  // WAL: readers (the API) never wait for the writer (the materialiser).
  // synchronous=NORMAL: a power cut may lose the last transactions, which
  // the console reads again from Kafka (their offsets were not stored either).
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
  db.exec(DDL);
  return db;
}

/** Runs `fn` in one transaction: all of it is stored, or none. */
export function inTransaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN');
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
