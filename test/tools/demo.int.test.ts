import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testBrokers } from '../support/kafka.ts';
import { testDir } from '../support/temp-dir.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('npm start (the demo)', () => {
  it('shows a verified FIRING and RESOLVED webhook for the tcp/445 surge, then stops everything', async () => {
    // The README's `npm start`, pointed at the test broker (KAFKA_BROKERS) so the run does not start a second one.
    const child = spawn(process.execPath, [join(ROOT, 'tools', 'demo', 'main.ts')], {
      // TMPDIR: the demo's log folder and the sensor's spool go where the test removes them.
      env: { ...process.env, TMPDIR: testDir('demo'), KAFKA_BROKERS: testBrokers().join(','), PORTENT_DEMO_SPEED: '120', PORTENT_DEMO_EXIT_WHEN_DONE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(out).toMatch(/signature verified\s+FIRING\s+SURGE tcp\/445/);
    expect(out).toMatch(/signature verified\s+RESOLVED\s+SURGE tcp\/445/);
    // Printed once the console is ready: its address with a sign-in link.
    expect(out).toMatch(/console: open http:\/\/127\.0\.0\.1:\d+\/#token=\S{16,}/);
    expect(out).toContain('stopped.');
    expect(code).toBe(0);
  });
});
