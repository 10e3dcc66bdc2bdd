/**
 * Reading the broker's logs back when it failed to start.
 */
import { readFileSync, statSync } from 'node:fs';
import type { DataDirPaths } from './config.ts';

/** Lines of a log from byte `from` on (the part this start wrote; a kept data dir's log grows across runs). */
export function readLines(path: string, from = 0): string[] {
  try {
    return readFileSync(path).subarray(from).toString('utf8').trimEnd().split('\n');
  } catch {
    return [];
  }
}

export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** What to show when the broker did not come up: its ERROR/FATAL lines, the end of server.log, the JVM's own output. */
export function logTail(paths: DataDirPaths, from: number): string {
  const server = readLines(paths.serverLog, from);
  const errors = server.filter((line) => /\] (ERROR|FATAL) |^\S*Exception: .*failed to bind/.test(line)).slice(-10).map((line) => line.slice(0, 600));
  const jvm = readLines(paths.jvmOut).slice(-20);
  return [
    ...(errors.length ? [`--- errors in ${paths.serverLog} ---`, ...errors] : []),
    `--- end of ${paths.serverLog} ---`, ...server.slice(-15),
    ...(jvm.length ? [`--- ${paths.jvmOut} ---`, ...jvm] : []),
  ].join('\n');
}
