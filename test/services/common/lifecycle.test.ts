/**
 * Process start (services/common/lifecycle.ts), in real Node processes:
 * kafkajs's harmless TimeoutNegativeWarning never reaches the output, while
 * every other warning and every listener of other code still does.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..', '..');

function runNode(script: string): { stderr: string; stdout: string } {
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { stderr: res.stderr, stdout: res.stdout };
}

describe('dropHarmlessWarnings', () => {
  it('hides the negative-timeout warning and keeps other warnings and listeners', { timeout: 60_000 }, () => {
    const { stderr, stdout } = runNode(`
      process.on('warning', (w) => console.log('listener saw ' + w.name));
      const { dropHarmlessWarnings } = await import('./services/common/lifecycle.ts');
      await import('./services/common/kafka/transport.ts');
      dropHarmlessWarnings();
      dropHarmlessWarnings();
      setTimeout(() => process.emitWarning('still shown', 'PortentTestWarning'), -5);
    `);
    expect(stderr).not.toContain('TimeoutNegativeWarning');
    expect(stderr).toContain('PortentTestWarning: still shown');
    expect(stdout).toBe('listener saw PortentTestWarning\n');
  });

  it('leaves Node printing the negative-timeout warning in a process that did not ask', { timeout: 60_000 }, () => {
    const { stderr } = runNode(`
      await import('./services/common/kafka/transport.ts');
      setTimeout(() => {}, -5);
    `);
    expect(stderr).toContain('TimeoutNegativeWarning');
  });
});
