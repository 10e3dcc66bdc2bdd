/**
 * A detector as a real process (services/detector/main.ts), for tests that
 * kill it with SIGKILL: stopped at the end of the test if still alive, its
 * JSON log kept in a file the test can read.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { waitForHttp } from '../../tools/demo/processes.ts';
import { pickFreePort } from '../../tools/local-kafka/config.ts';

const ROOT = join(import.meta.dirname, '..', '..');

export interface DetectorProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  readonly exited: Promise<void>;
  /** The log lines written so far, parsed. */
  logLines(): Record<string, unknown>[];
  /** kill -9, and wait until the process is gone. */
  kill(): Promise<void>;
}

/** Starts a detector and resolves once it is ready (its consumers have joined their groups). */
export async function startDetectorProcess(name: string, env: NodeJS.ProcessEnv, logDir: string): Promise<DetectorProcess> {
  const healthPort = await pickFreePort();
  const logFile = join(logDir, `${name}.log`);
  const child = spawn(process.execPath, [join(ROOT, 'services', 'detector', 'main.ts')], {
    env: { ...env, PORTENT_DETECTOR_HEALTH_PORT: String(healthPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  await waitForHttp(`http://127.0.0.1:${healthPort}/readyz`, 60_000, () => child.exitCode === null);
  return {
    name,
    child,
    logFile,
    exited,
    logLines: () =>
      readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
