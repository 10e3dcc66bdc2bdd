/**
 * `npm run bench [-- NAME...]`: runs bench/<NAME>.bench.ts (default: all of
 * them), one after another in their own processes, prints their figures, and
 * adds them to bench/RESULTS.md: the one history of measurements, one section
 * per run with the commit and the machine, written here rather than by hand.
 * Benchmarks never run in CI: CI asserts behaviour, not speed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

const dir = import.meta.dirname;
const RESULTS = join(dir, 'RESULTS.md');
const all = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace(/\.bench\.ts$/, '')).sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; available: ${all.join(', ') || 'none'}\n`);
  process.exit(2);
}

/** Runs one benchmark, its output shown as it comes and kept for RESULTS.md. */
function runOne(name: string): Promise<{ ok: boolean; output: string }> {
  const child = spawn(process.execPath, [join(dir, `${name}.bench.ts`)], { stdio: ['inherit', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    output += chunk.toString('utf8');
  });
  return new Promise((resolve) => {
    child.once('close', (code) => {
      resolve({ ok: code === 0, output });
    });
  });
}

/** What the figures were measured on and with: the commit (marked if code, not docs, had changed), CPUs, memory, Node, and the load (other work on the machine moves every figure). */
function provenance(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8' }).stdout.trim();
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown';
  const dirty = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':!*.md') === '' ? '' : ' (with uncommitted changes)';
  const cpu = cpus();
  const load = loadavg()[0] ?? 0;
  return `commit ${commit}${dirty}; ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB; Node ${process.version}; load average ${load.toFixed(1)} at the end`;
}

if (!existsSync(RESULTS)) {
  writeFileSync(RESULTS, '# Benchmark results\n\nWritten by `npm run bench` (bench/run.ts): one section per benchmark run, newest last. Edit nothing by hand; the READMEs quote the current figures.\n');
}
let failed = false;
for (const name of wanted.length > 0 ? wanted : all) {
  process.stdout.write(`\n== ${name} ==\n`);
  const { ok, output } = await runOne(name);
  if (!ok) failed = true;
  appendFileSync(RESULTS, `\n## ${name}${ok ? '' : ' (failed)'}\n\n${provenance()}\n\n\`\`\`\n${output.trim()}\n\`\`\`\n`);
}
process.exit(failed ? 1 : 0);
