/**
 * Temporary folders for tests. Every folder a test makes goes away when that
 * test ends, passed or failed, so a run leaves nothing in the machine's temp
 * folder (test/support/temp-root-global-setup.ts checks that it did).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

/** A fresh folder `portent-<prefix>-XXXXXX`, removed when the calling test finishes. Call it inside a test. */
export function testDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `portent-${prefix}-`));
  onTestFinished(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
