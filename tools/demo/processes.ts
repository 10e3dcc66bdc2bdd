import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

/** A Portent service run as a child process, its output going to a log file. */
export interface ServiceProcess {
  readonly name: string;
  readonly logFile: string;
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
  /** kill -9, and wait until the process is gone (chaos runs). */
  kill(): Promise<void>;
}

const ROOT = join(import.meta.dirname, '..', '..');

/** Starts `services/<name>/main.ts` with the same Node that runs this process; its log is `<logName>.log` in `logDir`. */
export function startService(name: string, env: NodeJS.ProcessEnv, logDir: string, logName = name): ServiceProcess {
  const logFile = join(logDir, `${logName}.log`);
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'services', name, 'main.ts')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  return {
    name,
    logFile,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `url` until it answers 200, or fails after `timeoutMs`. */
export async function waitForHttp(url: string, timeoutMs: number, isAlive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    if (!isAlive()) throw new Error(`${url}: the service exited while starting`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not become ready within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
