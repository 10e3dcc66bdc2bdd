/**
 * Follows a growing log file like `tail -F`:
 *
 * - reads to the end, then waits for more (fs.watch wakes it early; a poll
 *   every `pollMs` catches what watch misses, e.g. on NFS or in containers);
 * - rotation: when the path names another file (new inode), the rest of the
 *   old file is read, then the new one from its start;
 * - truncation (copytruncate): when the file shrinks below what was read,
 *   reading restarts at 0;
 * - a missing file (between rotate and re-create) is waited for.
 *
 * Stops when `signal` aborts.
 */
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

// 64 KiB, as inputs/source.ts reads files (larger chunks become large-object strings in the line inputs).
const CHUNK = 64 * 1024;

export interface FollowOptions {
  readonly signal: AbortSignal;
  readonly pollMs?: number;
  /** Start at the current end instead of the beginning (like `tail -n 0 -F`). */
  readonly fromEnd?: boolean;
}

export async function* followFile(path: string, opts: FollowOptions): AsyncGenerator<Buffer> {
  const pollMs = opts.pollMs ?? 250;
  let wake: (() => void) | undefined;
  const nudge = (): void => {
    wake?.();
  };
  let watcher: FSWatcher | undefined;
  const rewatch = (): void => {
    watcher?.close();
    try {
      watcher = watch(path, nudge);
      watcher.on('error', () => undefined);
    } catch {
      watcher = undefined;
    }
  };
  opts.signal.addEventListener('abort', nudge);
  let fh: FileHandle | undefined;
  let ino = -1;
  let pos = 0;
  let first = true;
  try {
    while (!opts.signal.aborted) {
      if (fh === undefined) {
        fh = await open(path, 'r').catch(() => undefined);
        if (fh !== undefined) {
          const st = await fh.stat();
          ino = st.ino;
          pos = first && opts.fromEnd === true ? st.size : 0;
          first = false;
          rewatch();
        }
      }
      if (fh !== undefined) {
        for (;;) {
          const buf = Buffer.allocUnsafe(CHUNK);
          const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
          if (bytesRead === 0) break;
          pos += bytesRead;
          yield buf.subarray(0, bytesRead);
        }
        const now = await stat(path).catch(() => undefined);
        if (now === undefined || now.ino !== ino) {
          // Rotated away (the old file is read to its end above): switch when the new one exists.
          if (now !== undefined) {
            await fh.close();
            fh = undefined;
            continue;
          }
        } else if (now.size < pos) {
          pos = 0;
          continue;
        }
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    opts.signal.removeEventListener('abort', nudge);
    watcher?.close();
    await fh?.close();
  }
}
