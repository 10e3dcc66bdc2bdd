/**
 * `npm run bench -- console-store`: the console's store candidates,
 * node:sqlite (Node 24 built-in, the console's PortStatsStore as it runs)
 * and DuckDB (@duckdb/node-api, appender), on the same data: PORTS active
 * ports (default 10,000), one window a minute each, for HOURS (default 168 =
 * 7 days). It prints, per store:
 *
 * - write rate (windows/s) and the CPU one minute of windows of every port
 *   costs, as a share of one core;
 * - the query time of a 7-day chart of one port (median and worst of 25),
 *   and for SQLite, which the console uses, the whole API answer of it;
 * - disk use once everything is written, and that figure scaled to 7 days
 *   (rows are fixed-size, so disk grows linearly with windows).
 *
 * Environment: PORTS, HOURS, STORES (sqlite,duckdb). Files go to a temporary
 * directory that is deleted afterwards.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { PortStats } from '../services/common/avro/generated-types.ts';
import { createLogger } from '../services/common/logger.ts';
import { LONG_RANGE_BUCKET_MS } from '../services/console/api/data-routes.ts';
import { buildConsoleApp } from '../services/console/app.ts';
import { LiveFeed } from '../services/console/live.ts';
import { AlertStore } from '../services/console/store/alerts.ts';
import { inTransaction, openDatabase, portId } from '../services/console/store/database.ts';
import { PortStatsStore } from '../services/console/store/port-stats.ts';
import { WebAssets } from '../services/console/web-bundle.ts';

const PORTS = Number(process.env['PORTS'] ?? '10000');
const HOURS = Number(process.env['HOURS'] ?? '168');
const STORES = (process.env['STORES'] ?? 'sqlite,duckdb').split(',');
const MINUTE = 60_000;
const START = Date.UTC(2026, 0, 1);
const WINDOWS = HOURS * 60;
const QUERIES = 25;

interface Figures { store: string; rows: number; windowsPerSecond: number; coreShare: number; queryMedianMs: number; queryWorstMs: number; diskMiB: number; api?: { median: number; worst: number } }

const TOKEN = 'bench-token-0123456789abcdef';

/** The whole API answer of a 7-day chart (route, query, JSON), through fastify's inject. */
async function apiTimes(portStats: PortStatsStore, alerts: AlertStore, to: number): Promise<{ median: number; worst: number }> {
  const app = buildConsoleApp({
    apiTokens: [TOKEN], portStats, alerts, live: new LiveFeed(), web: new WebAssets(), logger: createLogger('bench', 'silent'),
    alerterUrl: 'http://127.0.0.1:9', now: () => to, readiness: {},
  });
  const times: number[] = [];
  for (const p of chartPorts()) {
    const w = windowOf(p, 0);
    const t0 = performance.now();
    const res = await app.inject({ url: `/v1/ports/${w.protocol.toLowerCase()}/${w.port}?range=7d`, headers: { authorization: `Bearer ${TOKEN}` } });
    if (res.statusCode !== 200) throw new Error(`chart answer ${res.statusCode}`);
    times.push(performance.now() - t0);
  }
  await app.close();
  return summary(times);
}

/** Deterministic figures of port p in minute m (no RNG state to share between stores). */
function windowOf(p: number, m: number): PortStats {
  const h = Math.imul(p * 2_654_435_761 + m * 40_503, 2_246_822_519) >>> 0;
  const sources = 1 + (h % 200);
  return {
    protocol: p % 5 === 0 ? 'UDP' : 'TCP', port: 1 + p, windowStart: START + m * MINUTE, windowEnd: START + (m + 1) * MINUTE,
    attempts: sources * 7, distinctSources: sources, distinctDestinations: sources * 3, sensors: 1 + (h % 4), baselineSources: 50 + (h % 17),
    surging: sources > 190, newSources: h % 13, dscSources: h % 3, scanners: h % 5,
  };
}

function diskMiB(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0) / 2 ** 20;
}

function summary(times: number[]): { median: number; worst: number } {
  const sorted = [...times].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, worst: sorted.at(-1) ?? 0 };
}

function chartPorts(): number[] {
  return Array.from({ length: QUERIES }, (_, i) => (i * 7_919) % PORTS);
}

async function benchSqlite(dir: string): Promise<Figures> {
  const db = openDatabase(join(dir, 'console.sqlite'));
  const store = new PortStatsStore(db);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let m = 0; m < WINDOWS; m++) inTransaction(db, () => {
    for (let p = 0; p < PORTS; p++) store.add(windowOf(p, m));
  });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  const to = START + WINDOWS * MINUTE;
  const times = chartPorts().map((p) => {
    const w = windowOf(p, 0);
    const t0 = performance.now();
    // As the API asks for 7 days: 5-minute buckets (services/console/api/data-routes.ts).
    const series = store.series(portId(w.protocol, w.port), to - 7 * 24 * 60 * MINUTE, to, LONG_RANGE_BUCKET_MS);
    if (series.windowStart.length === 0) throw new Error('empty chart');
    return performance.now() - t0;
  });
  const api = await apiTimes(store, new AlertStore(db), to);
  db.close();
  const q = summary(times);
  return { api, store: 'node:sqlite', rows: WINDOWS * PORTS, windowsPerSecond: (WINDOWS * PORTS) / seconds, coreShare: (used.user + used.system) / 1e6 / WINDOWS / 60, queryMedianMs: q.median, queryWorstMs: q.worst, diskMiB: diskMiB(dir) };
}

async function benchDuck(dir: string): Promise<Figures> {
  const instance = await DuckDBInstance.create(join(dir, 'console.duckdb'));
  const conn = await instance.connect();
  await conn.run(`CREATE TABLE port_stats (port_id INTEGER, window_start BIGINT, window_end BIGINT, attempts BIGINT, sources BIGINT, destinations BIGINT,
    sensors INTEGER, baseline DOUBLE, surging BOOLEAN, new_sources BIGINT, dsc_sources BIGINT, scanners BIGINT)`);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let m = 0; m < WINDOWS; m++) {
    const app = await conn.createAppender('port_stats');
    for (let p = 0; p < PORTS; p++) {
      const s = windowOf(p, m);
      app.appendInteger(portId(s.protocol, s.port));
      for (const v of [s.windowStart, s.windowEnd, s.attempts, s.distinctSources, s.distinctDestinations]) app.appendBigInt(BigInt(v));
      app.appendInteger(s.sensors);
      app.appendDouble(s.baselineSources);
      app.appendBoolean(s.surging);
      for (const v of [s.newSources, s.dscSources, s.scanners]) app.appendBigInt(BigInt(v));
      app.endRow();
    }
    app.closeSync();
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await conn.run('CHECKPOINT');
  const to = START + WINDOWS * MINUTE;
  const times: number[] = [];
  for (const p of chartPorts()) {
    const w = windowOf(p, 0);
    const t0 = performance.now();
    const b = LONG_RANGE_BUCKET_MS;
    const reader = await conn.runAndReadAll(`SELECT (window_start // ${b}) * ${b} AS t, MAX(attempts), MAX(sources), MAX(destinations), MAX(sensors), AVG(baseline), MAX(surging::INT),
        MAX(new_sources), MAX(dsc_sources), MAX(scanners)
      FROM port_stats WHERE port_id = ${portId(w.protocol, w.port)} AND window_start >= ${to - 7 * 24 * 60 * MINUTE} AND window_start < ${to} GROUP BY t ORDER BY t`);
    if (reader.getRows().length === 0) throw new Error('empty chart');
    times.push(performance.now() - t0);
  }
  conn.closeSync();
  instance.closeSync();
  const q = summary(times);
  // DuckDB's own threads count in cpuUsage too: the share is the process's.
  return { store: 'duckdb', rows: WINDOWS * PORTS, windowsPerSecond: (WINDOWS * PORTS) / seconds, coreShare: (used.user + used.system) / 1e6 / WINDOWS / 60, queryMedianMs: q.median, queryWorstMs: q.worst, diskMiB: diskMiB(dir) };
}

const rows: Figures[] = [];
for (const name of STORES) {
  const dir = mkdtempSync(join(tmpdir(), `console-store-${name}-`));
  try {
    rows.push(name === 'duckdb' ? await benchDuck(dir) : await benchSqlite(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
process.stdout.write(`console store: ${PORTS} ports x ${WINDOWS} one-minute windows (${HOURS} h)\n`);
process.stdout.write('| store | windows stored | write rate (windows/s) | CPU for one minute of all ports (share of a core) | 7-day chart query, median / worst (ms) | 7-day chart API answer, median / worst (ms) | disk (MiB) | disk for 7 days (MiB, linear) |\n|---|---|---|---|---|---|---|---|\n');
for (const f of rows) {
  process.stdout.write(`| ${f.store} | ${f.rows.toLocaleString('en')} | ${Math.round(f.windowsPerSecond).toLocaleString('en')} | ${(f.coreShare * 100).toFixed(2)} % | ${f.queryMedianMs.toFixed(2)} / ${f.queryWorstMs.toFixed(2)} | ${f.api === undefined ? 'not measured' : `${f.api.median.toFixed(2)} / ${f.api.worst.toFixed(2)}`} | ${f.diskMiB.toFixed(0)} | ${((f.diskMiB * 168) / HOURS).toFixed(0)} |\n`);
}
