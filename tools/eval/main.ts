/**
 * `npm run eval [-- --seed N] [-- --only TEXT] [-- --no-write]`: plays the
 * scenario matrix (matrix.ts) through the detector's pure core, prints one
 * table and writes it to tools/eval/RESULTS.md. Not part of CI: a run takes
 * minutes. Deterministic: the same seed and detector give the same table.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDetectorConfig } from '../../services/detector/config.ts';
import { EVAL_START, MATRIX, MS05_027 } from './matrix.ts';
import { measure } from './measure.ts';
import { playWorld } from './play.ts';
import { table } from './table.ts';
import type { RowResult } from './table.ts';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '1' }, only: { type: 'string' }, 'no-write': { type: 'boolean', default: false } } });
const seed = Number(values.seed);
const rows = MATRIX.filter((r) => values.only === undefined || r.name.includes(values.only));
const defaults = loadDetectorConfig({}).detector;
const results: RowResult[] = [];
for (const row of rows) {
  const began = performance.now();
  const played = playWorld(row.world, seed, EVAL_START, { ...defaults, allowedLatenessMs: row.latenessSeconds * 1000 }, [MS05_027]);
  const figures = measure(row, played.alerts, EVAL_START, defaults.windowMs);
  results.push({ row, figures, events: played.events, late: played.late });
  process.stderr.write(`${row.name}: ${played.events} events, ${played.alerts.length} alerts, ${((performance.now() - began) / 1000).toFixed(1)} s\n`);
}
const out = table(results);
process.stdout.write(`${out}\n`);
if (!values['no-write'] && values.only === undefined) {
  const doc = [
    '# Detection quality: the scenario matrix',
    '',
    `Written by \`npm run eval\` (seed ${seed}, the detector's default settings; allowed lateness 10 s, or the sensors' skew where larger).`,
    'Every figure is in event time, so it does not depend on the machine. Scenarios and models: `tools/eval/README.md`.',
    '',
    out,
    '',
  ].join('\n');
  writeFileSync(join(import.meta.dirname, 'RESULTS.md'), doc);
}
const failed = results.filter((r) => !r.figures.pass).length;
process.stderr.write(`${results.length - failed} of ${results.length} scenarios meet their targets\n`);
