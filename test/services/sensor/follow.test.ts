import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { followFile } from '../../../services/sensor/follow.ts';
import { testDir } from '../../support/temp-dir.ts';

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('following a log file', () => {
  it('reads what is appended, across rotation and truncation, until stopped', async () => {
    const dir = testDir('sensor-follow');
    const path = join(dir, 'conn.log');
    writeFileSync(path, 'one\n');
    const stop = new AbortController();
    let text = '';
    const done = (async () => {
      for await (const chunk of followFile(path, { signal: stop.signal, pollMs: 20 })) text += chunk.toString();
    })();
    await until(() => text === 'one\n');
    appendFileSync(path, 'two\n');
    await until(() => text.endsWith('two\n'));
    // logrotate's default: rename, then a new file; a last line lands in the old one first.
    renameSync(path, `${path}.1`);
    appendFileSync(`${path}.1`, 'three\n');
    writeFileSync(path, 'four\n');
    await until(() => text.endsWith('four\n'));
    // copytruncate: the same file is cut to 0 and written again (shorter than what was read:
    // like tail -F, a file that regrows past the old size before a poll cannot be told apart).
    writeFileSync(path, '5\n');
    await until(() => text.endsWith('5\n'));
    stop.abort();
    await done;
    expect(text).toBe('one\ntwo\nthree\nfour\n5\n');
  });

  it('waits for a file that does not exist yet', async () => {
    const path = join(testDir('sensor-follow'), 'later.log');
    const stop = new AbortController();
    let text = '';
    const done = (async () => {
      for await (const chunk of followFile(path, { signal: stop.signal, pollMs: 20 })) text += chunk.toString();
    })();
    writeFileSync(path, 'hello\n');
    await until(() => text === 'hello\n');
    stop.abort();
    await done;
  });
});
