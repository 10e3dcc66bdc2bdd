/** The one table `npm run eval` prints and writes: a Markdown row per scenario. */
import type { MatrixRow } from './matrix.ts';
import type { RowFigures } from './measure.ts';

export interface RowResult {
  readonly row: MatrixRow;
  readonly figures: RowFigures;
  readonly events: number;
  readonly late: number;
}

const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(x < 0.001 ? 3 : 2)} %`);
const minutes = (x: number | null): string => (x === null ? '—' : `${x.toFixed(1)} min`);

function target(row: MatrixRow): string {
  if (row.family === 'worm') return `HIGH < ${((row.highBefore ?? 0.005) * 100).toFixed(1)} %`;
  if (row.family === 'sweep') return 'surge ≤ 2 windows, risk ≤ ELEVATED';
  return 'no surge, risk ≤ LOW';
}

function where(row: MatrixRow): string {
  const s = row.world.space;
  const skew = row.world.maxSkewSeconds > 0 ? `, skew ${row.world.maxSkewSeconds} s` : '';
  return `/${s.prefix}, ${s.sensors} (${s.liveSensors} live)${skew}`;
}

const HEADER = ['scenario', 'space, sensors', 'sim. time', 'events', 'surge delay', 'infected at ELEVATED', 'infected at HIGH', 'max worm-risk', 'false / day', 'late', 'target', 'result'];

export function table(results: readonly RowResult[]): string {
  const rows = results.map(({ row, figures: f, events, late }) => [
    row.name,
    where(row),
    row.world.minutes >= 1440 ? `${(row.world.minutes / 1440).toFixed(0)} d` : `${(row.world.minutes / 60).toFixed(1)} h`,
    events.toLocaleString('en-US'),
    minutes(f.surgeDelayMinutes),
    pct(f.infectedAtElevated),
    pct(f.infectedAtHigh),
    f.maxRisk,
    f.falsePerDay.toFixed(1),
    late.toLocaleString('en-US'),
    target(row),
    f.pass ? 'pass' : '**FAIL**',
  ]);
  return [HEADER, HEADER.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}
