/**
 * Points every test, worker and spawned service at one temp folder of the
 * run's own (TMPDIR), and at the end of the run fails if anything is left in
 * it: a test that makes a folder must remove it (test/support/temp-dir.ts).
 * The folder is removed either way, so even a failed run leaves nothing behind.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const before = process.env['TMPDIR'];
  const root = mkdtempSync(join(tmpdir(), 'portent-test-run-'));
  process.env['TMPDIR'] = root;
  return () => {
    const left = readdirSync(root);
    rmSync(root, { recursive: true, force: true });
    if (before === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = before;
    if (left.length > 0) throw new Error(`tests left temporary folders behind (make them with testDir() from test/support/temp-dir.ts): ${left.join(', ')}`);
  };
}
