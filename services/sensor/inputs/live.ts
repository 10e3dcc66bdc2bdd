/**
 * Live capture: runs `tcpdump -i IFACE -w - -U -n -s 128 [filter]` and reads
 * its pcap stream from stdout with the same parser as pcap files.
 * -U flushes every packet (no 4 KiB buffering delay); -s 128 keeps only the
 * headers the sensor needs. Capturing needs root or CAP_NET_RAW: without it
 * (or without tcpdump) the sensor stops with an error that says what to do.
 */
import { spawn } from 'node:child_process';
import type { ConnectionEvent } from '../../common/avro/generated-types.ts';
import { sensorError, SensorErrorCodes } from '../errors.ts';
import type { InputReport } from '../report.ts';
import type { TrackingOptions } from './attempt-tracker.ts';
import { CaptureStream } from './capture.ts';

export interface LiveOptions {
  readonly iface: string;
  /** A BPF filter, e.g. "tcp[tcpflags] & tcp-syn != 0 or udp or icmp". */
  readonly filter: string | undefined;
  /** The tcpdump command (PORTENT_SENSOR_TCPDUMP). */
  readonly tcpdump: string;
  readonly tracking: TrackingOptions;
  readonly signal: AbortSignal;
}

const PERMISSION = /permission|not permitted|Operation not permitted|socket: Operation/i;

export async function captureLive(opts: LiveOptions, report: InputReport, emit: (events: ConnectionEvent[]) => Promise<void>): Promise<void> {
  const args = ['-i', opts.iface, '-w', '-', '-U', '-n', '-s', '128', ...(opts.filter === undefined ? [] : [opts.filter])];
  const child = spawn(opts.tcpdump, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const spawned = new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    child.once('spawn', () => {
      resolve(undefined);
    });
    child.once('error', resolve);
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => {
    if (stderr.length < 4096) stderr += s;
  });
  const spawnError = await spawned;
  if (spawnError !== undefined) {
    const missing = spawnError.code === 'ENOENT';
    throw sensorError(
      missing ? SensorErrorCodes.TCPDUMP_MISSING : SensorErrorCodes.CAPTURE_FAILED,
      missing ? `live capture needs tcpdump, and "${opts.tcpdump}" was not found: install it (e.g. apt-get install tcpdump) or set PORTENT_SENSOR_TCPDUMP` : `cannot start ${opts.tcpdump}: ${spawnError.message}`,
      { tcpdump: opts.tcpdump },
      spawnError,
    );
  }
  const stop = (): void => {
    child.kill('SIGTERM');
  };
  opts.signal.addEventListener('abort', stop);
  const capture = new CaptureStream(report, opts.tracking);
  let bytes = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      const events = capture.push(chunk);
      if (events.length > 0) await emit(events);
    }
    const rest = capture.end();
    if (rest.length > 0) await emit(rest);
  } finally {
    opts.signal.removeEventListener('abort', stop);
  }
  const code = await exited;
  if (opts.signal.aborted || code === 0) return;
  const message = stderr.trim().split('\n').slice(-3).join(' | ');
  if (PERMISSION.test(stderr)) {
    throw sensorError(
      SensorErrorCodes.CAPTURE_PERMISSION,
      `no permission to capture on ${opts.iface}: run the sensor as root, or grant tcpdump the capability (setcap cap_net_raw,cap_net_admin=eip $(command -v tcpdump)). tcpdump said: ${message}`,
      { iface: opts.iface, exitCode: code },
    );
  }
  throw sensorError(SensorErrorCodes.CAPTURE_FAILED, `tcpdump exited with code ${String(code)} after ${bytes} bytes: ${message}`, { iface: opts.iface, exitCode: code });
}
