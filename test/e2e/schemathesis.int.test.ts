/**
 * The alerter's API contract, fuzzed: schemathesis (PyPI) reads the real
 * alerter's /openapi.json, generates valid and invalid requests for every
 * operation, and runs every check (status codes, content types, response
 * schemas and headers, 405 for undeclared methods, ignored auth, use after
 * delete, ...) against the alerter run as a process on the real broker.
 * Without `st` the test is skipped, unless PORTENT_REQUIRE_SCHEMATHESIS=1
 * (CI installs it and sets that), when it fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { pickFreePort } from '../../tools/local-kafka/config.ts';
import { startService, waitForHttp } from '../../tools/demo/processes.ts';
import { createTestTopics, serviceEnv, testTransport } from '../support/kafka.ts';

const ST = process.env['PORTENT_SCHEMATHESIS_BIN'] ?? 'st';
const installed = spawnSync(ST, ['--version'], { stdio: 'ignore' }).status === 0;
const required = process.env['PORTENT_REQUIRE_SCHEMATHESIS'] === '1';
const CONFIG = join(import.meta.dirname, 'schemathesis.toml');

/** Runs schemathesis to the end in `cwd` (where it keeps its .schemathesis cache); resolves with its exit code and output. */
function schemathesis(cwd: string, args: readonly string[]): Promise<{ code: number | null; output: string }> {
  const env = { ...process.env, SCHEMATHESIS_TELEMETRY: 'false' };
  const child = spawn(ST, ['--config-file', CONFIG, '--no-color', 'run', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  const collect = (d: Buffer): void => {
    output += d.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      resolve({ code, output });
    });
  });
}

describe('API contract (schemathesis against the real alerter)', () => {
  if (!installed && required) it('has schemathesis installed', () => expect.fail(`${ST} not found, but PORTENT_REQUIRE_SCHEMATHESIS=1`));
  if (!installed && !required) console.warn(`${ST} not found: the schemathesis contract test is skipped`);

  it.skipIf(!installed)('passes every check on every operation', { timeout: 600_000 }, async () => {
    const topics = await createTestTopics(testTransport());
    const dir = mkdtempSync(join(tmpdir(), 'portent-st-'));
    onTestFinished(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    const port = await pickFreePort();
    const token = randomBytes(24).toString('base64url');
    const env = { ...serviceEnv(topics), PORTENT_ALERTER_HTTP_HOST: '127.0.0.1', PORTENT_ALERTER_HTTP_PORT: String(port), PORTENT_ALERTER_API_TOKENS: token };
    const alerter = startService('alerter', env, dir);
    onTestFinished(() => alerter.stop());
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/readyz`, 90_000, () => true);

    const { code, output } = await schemathesis(dir, [
      `${base}/openapi.json`,
      '--checks', 'all',
      '--header', `Authorization: Bearer ${token}`,
      '--max-examples', '10',
      '--seed', '1',
      '--workers', '2',
      // A test ping delivers a real webhook to whatever URL the fuzzer made up, i.e.
      // off loopback; its contract is covered by test/services/alerter/api/routes.test.ts.
      '--exclude-path', '/v1/subscriptions/{id}/test',
    ]);
    if (code !== 0) console.error(`${output}\nalerter log:\n${readFileSync(alerter.logFile, 'utf8').slice(-5000)}`);
    expect(code).toBe(0);
    // Every operation but the ping was exercised (the summary reads "Selected: 21/22").
    expect(output).toMatch(/Tested: 21\b/);
  });
});
