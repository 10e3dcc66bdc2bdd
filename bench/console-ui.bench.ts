/**
 * `npm run bench -- console-ui`: the overview's first paint in Chromium
 * (Debian's chromium through playwright-core), against the console's real
 * HTTP server and a store holding the last hour of PORTS active ports
 * (default 10,000), on loopback. It prints, over RUNS page loads (default 5),
 * the median and worst of:
 *
 * - first contentful paint (the browser's own paint timing);
 * - the overview painted: the first animation frame with the ranked ports
 *   and their sparklines in the page (the data fetched after sign-in).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { PortStats } from '../services/common/avro/generated-types.ts';
import { createLogger } from '../services/common/logger.ts';
import { buildConsoleApp } from '../services/console/app.ts';
import { LiveFeed } from '../services/console/live.ts';
import { AlertStore } from '../services/console/store/alerts.ts';
import { inTransaction, openDatabase } from '../services/console/store/database.ts';
import { PortStatsStore } from '../services/console/store/port-stats.ts';
import { WebAssets } from '../services/console/web-bundle.ts';

const PORTS = Number(process.env['PORTS'] ?? '10000');
const RUNS = Number(process.env['RUNS'] ?? '5');
const TOKEN = 'bench-token-0123456789abcdef';
const MINUTE = 60_000;
const NOW = Math.floor(Date.now() / MINUTE) * MINUTE;

function windowOf(p: number, m: number): PortStats {
  const sources = 5 + ((p * 31 + m * 7) % 40) + (p === 445 && m > 40 ? 400 : 0);
  return { protocol: 'TCP', port: p + 1, windowStart: NOW - (60 - m) * MINUTE, windowEnd: NOW - (59 - m) * MINUTE, attempts: sources * 3, distinctSources: sources,
    distinctDestinations: 10, sensors: 2, baselineSources: 20, surging: sources > 100, newSources: 1, dscSources: 0, scanners: 0 };
}

const dir = mkdtempSync(join(tmpdir(), 'console-ui-bench-'));
const db = openDatabase(join(dir, 'console.sqlite'));
const portStats = new PortStatsStore(db);
for (let m = 0; m < 60; m++) inTransaction(db, () => {
  for (let p = 0; p < PORTS; p++) portStats.add(windowOf(p, m));
});
const app = buildConsoleApp({ apiTokens: [TOKEN], portStats, alerts: new AlertStore(db), live: new LiveFeed(), web: new WebAssets(), logger: createLogger('bench', 'silent'), alerterUrl: 'http://127.0.0.1:9', now: () => NOW, readiness: {} });
const address = await app.listen({ host: '127.0.0.1', port: 0 });
await app.inject({ url: '/app.js' });
const browser = await chromium.launch({ executablePath: process.env['CHROMIUM'] ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const fcp: number[] = [];
const overview: number[] = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(`sessionStorage.setItem('portent-token', '${TOKEN}')`);
    const page = await context.newPage();
    await page.goto(address, { waitUntil: 'commit' });
    overview.push(await page.evaluate<number>(`new Promise((resolve) => { const check = () => document.querySelectorAll('tr[data-port] canvas').length > 0 ? resolve(performance.now()) : requestAnimationFrame(check); check(); })`));
    fcp.push(await page.evaluate<number>(`performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1`));
    await context.close();
  }
} finally {
  await browser.close();
  await app.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
}
const stat = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  return `${(s[Math.floor(s.length / 2)] ?? 0).toFixed(0)} / ${(s.at(-1) ?? 0).toFixed(0)}`;
};
process.stdout.write(`console overview in chromium: ${PORTS} active ports, ${RUNS} loads at 1280x800\n`);
process.stdout.write(`| measure | median / worst (ms) |\n|---|---|\n| first contentful paint | ${stat(fcp)} |\n| overview painted (ranked ports with sparklines) | ${stat(overview)} |\n`);
