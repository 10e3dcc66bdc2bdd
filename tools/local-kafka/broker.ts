/**
 * A real single-node Apache Kafka 4 broker (KRaft, combined broker+controller)
 * run from the Apache jars for local development and tests. See README.md.
 *
 *   const kafka = await startLocalBroker();   // fresh temp data dir, free port
 *   ... new Kafka({ brokers: kafka.brokers }) ...
 *   await kafka.stop();
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { HOST, choosePorts, dataDirPaths, formatStorage, writeConfig } from './config.ts';
import type { DataDirPaths } from './config.ts';
import { LocalKafkaError, LocalKafkaErrorCodes } from './errors.ts';
import { ensureKafkaJars } from './jars.ts';
import { checkJava } from './java.ts';
import { fileSize, logTail, readLines } from './logs.ts';
import { checkSaslOptions } from './sasl.ts';
import type { BrokerSaslOptions } from './sasl.ts';

export { checkJava } from './java.ts';
export type { JavaInfo } from './java.ts';
export { DEFAULT_KAFKA_VERSION, ensureKafkaJars, portentCacheDir } from './jars.ts';
export type { EnsureJarsOptions } from './jars.ts';
export { LocalKafkaError, LocalKafkaErrorCodes, isLocalKafkaError } from './errors.ts';
export type { LocalKafkaErrorCode } from './errors.ts';
export type { BrokerSaslOptions, SaslUser } from './sasl.ts';

const { Kafka, Partitioners, logLevel } = kafkajs;

export interface StartBrokerOptions {
  /** PLAINTEXT port on 127.0.0.1. 0 or undefined: reuse the data dir's previous port if free, else any free port. */
  readonly port?: number;
  /** Kept across restarts when given (an already formatted dir is reused). Default: a fresh temp dir. */
  readonly dataDir?: string;
  /** Kafka version (default DEFAULT_KAFKA_VERSION). */
  readonly version?: string;
  /** Also print the broker's log (INFO) on this process's stdout. Default: only <dataDir>/logs/server.log. */
  readonly logToConsole?: boolean;
  /** Delete the data dir on stop(). Default: true only for the auto-created temp dir. */
  readonly removeDataDir?: boolean;
  /** Overall limit for the broker to answer. Default 90 s. */
  readonly startTimeoutMs?: number;
  /** Progress lines (jar fetch). Default: silent. */
  readonly log?: (line: string) => void;
  /**
   * Also listen with SASL (PLAIN, SCRAM-SHA-256/512) for these users on a
   * SASL_PLAINTEXT port, and on a SASL_SSL port when `tls` is given (sasl.ts).
   * For tests of the Kafka security settings; SCRAM users are created when
   * the data dir is formatted, so use a fresh data dir.
   */
  readonly sasl?: BrokerSaslOptions;
}

export interface BrokerExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface LocalBroker {
  /** ['127.0.0.1:PORT'] (PLAINTEXT) */
  readonly brokers: string[];
  /** ['127.0.0.1:PORT'] of the SASL_PLAINTEXT listener, when started with `sasl`. */
  readonly saslBrokers?: string[];
  /** ['127.0.0.1:PORT'] of the SASL_SSL listener, when started with `sasl.tls`. */
  readonly saslSslBrokers?: string[];
  readonly dataDir: string;
  readonly pid: number;
  /** Settles when the java process exits, whether by stop() or not. */
  readonly exited: Promise<BrokerExit>;
  /** SIGTERM, up to 30 s for a clean shutdown, then SIGKILL. Idempotent. */
  stop(): Promise<void>;
}

// Kills the broker if this Node process dies in a way that skips 'exit' handlers (SIGKILL, unhandled signal).
const WATCHDOG = 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; '
  + 'if kill -0 "$2" 2>/dev/null; then kill -TERM "$2"; i=0; '
  + 'while [ $i -lt 20 ] && kill -0 "$2" 2>/dev/null; do sleep 1; i=$((i+1)); done; kill -KILL "$2" 2>/dev/null; fi';

/** Resolves once the broker serves metadata, a group coordinator and producer ids; kafkajs logs are silenced here. */
async function waitUntilReady(brokers: string[], deadline: number, hasExited: () => boolean): Promise<boolean> {
  let delay = 200;
  while (Date.now() < deadline && !hasExited()) {
    const kafka = new Kafka({ clientId: 'portent-local-kafka-ready', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 1000, requestTimeout: 5000, retry: { retries: 0 } });
    const admin = kafka.admin();
    // kafkajs refuses an idempotent producer without retries.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner, retry: { retries: 1, initialRetryTime: 100 } });
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (cluster.brokers.length > 0) {
        await admin.describeGroups(['portent-local-kafka-ready']); // creates/loads __consumer_offsets
        await producer.connect(); // InitProducerId: the first idempotent producer won't hit "coordinator is loading"
        return true;
      }
    } catch {
      // not ready yet
    } finally {
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
    await sleep(delay);
    delay = Math.min(Math.round(delay * 1.5), 1000);
  }
  return false;
}

function spawnBroker(java: string, libsDir: string, paths: DataDirPaths, dataDir: string, logToConsole: boolean): ChildProcess {
  const heap = (process.env['KAFKA_HEAP_OPTS'] ?? '-Xmx512m -Xms256m').split(/\s+/).filter(Boolean);
  // C1 only (TieredStopAtLevel=1): starts ~30% faster on 2 cores; peak speed does not matter for a dev broker.
  const args = [...heap, '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${paths.log4jConfig}`, `-Dkafka.logs.dir=${paths.logsDir}`,
    `-Dportent.console.level=${logToConsole ? 'INFO' : 'OFF'}`, '-cp', join(libsDir, '*'), 'kafka.Kafka', paths.serverProperties];
  const out = logToConsole ? 'inherit' : openSync(paths.jvmOut, 'a');
  try {
    return spawn(java, args, { cwd: dataDir, stdio: ['ignore', out, out], detached: true });
  } finally {
    if (typeof out === 'number') closeSync(out);
  }
}

async function startOnce(opts: StartBrokerOptions, java: string, libsDir: string, dataDir: string, removeDataDir: boolean): Promise<LocalBroker> {
  const paths = dataDirPaths(dataDir);
  const ports = await choosePorts(opts.port, paths, { sasl: opts.sasl !== undefined, ssl: opts.sasl?.tls !== undefined });
  await writeConfig(paths, ports, opts.sasl);
  await formatStorage(java, libsDir, paths, opts.sasl);

  const logStart = fileSize(paths.serverLog);
  const child = spawnBroker(java, libsDir, paths, dataDir, opts.logToConsole ?? false);
  let exitInfo: BrokerExit | undefined;
  const exited = new Promise<BrokerExit>((resolve) => {
    const done = (info: BrokerExit): void => {
      exitInfo = info;
      resolve(info);
    };
    child.once('exit', (code, signal) => {
      done({ code, signal });
    });
    child.once('error', () => {
      done({ code: null, signal: null });
    });
  });
  const watchdog = spawn('/bin/sh', ['-c', WATCHDOG, 'portent-kafka-watchdog', String(process.pid), String(child.pid)], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  const onExit = (): void => {
    child.kill('SIGKILL');
    watchdog.kill('SIGKILL');
  };
  process.once('exit', onExit);

  let stopping: Promise<void> | undefined;
  let removeOnStop = removeDataDir;
  const stop = (): Promise<void> => (stopping ??= (async () => {
    // A broker that died on its own keeps its data dir: its logs say why.
    if (exitInfo !== undefined) {
      removeOnStop = false;
    } else {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    process.off('exit', onExit);
    watchdog.kill('SIGKILL');
    if (removeOnStop) await rm(dataDir, { recursive: true, force: true });
  })());

  const brokers = [`${HOST}:${ports.port}`];
  const timeoutMs = opts.startTimeoutMs ?? 90_000;
  let ready: boolean;
  try {
    ready = await waitUntilReady(brokers, Date.now() + timeoutMs, () => exitInfo !== undefined);
  } catch (err) {
    removeOnStop = false;
    await stop();
    throw err;
  }
  if (ready) {
    return {
      brokers, dataDir, pid: child.pid ?? -1, exited, stop,
      ...(ports.saslPort === undefined ? {} : { saslBrokers: [`${HOST}:${ports.saslPort}`] }),
      ...(ports.sslPort === undefined ? {} : { saslSslBrokers: [`${HOST}:${ports.sslPort}`] }),
    };
  }
  // Not ready: stop what runs, keep the data dir (its logs) for a look, report the log tail.
  const early = exitInfo;
  removeOnStop = false;
  await stop();
  const bindFailed = readLines(paths.serverLog, logStart).some((line) => line.includes('failed to bind'));
  const how = early ? `exited early (${early.signal ?? `code ${early.code}`})` : `did not answer within ${timeoutMs} ms`;
  throw new LocalKafkaError(early ? LocalKafkaErrorCodes.START_FAILED : LocalKafkaErrorCodes.START_TIMEOUT,
    `Local Kafka broker on ${brokers[0]} ${how}. Data dir: ${dataDir}\n${logTail(paths, logStart)}`,
    { canRetry: !early || bindFailed, fields: { dataDir, ...ports, exit: early, bindFailed } });
}

/**
 * Starts a single-node KRaft broker on 127.0.0.1 and resolves once it really
 * answers (metadata, group coordinator, producer ids). Needs Java 17+ and,
 * on first use of a version, Maven (see checkJava / ensureKafkaJars).
 * The broker is killed if this process exits without calling stop().
 */
export async function startLocalBroker(opts: StartBrokerOptions = {}): Promise<LocalBroker> {
  if (opts.sasl !== undefined) checkSaslOptions(opts.sasl);
  const { bin: java } = await checkJava();
  const libsDir = await ensureKafkaJars({ ...(opts.version ? { version: opts.version } : {}), ...(opts.log ? { log: opts.log } : {}) });
  const autoDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'portent-kafka-')));
  await mkdir(dataDir, { recursive: true });
  const removeDataDir = opts.removeDataDir ?? autoDir;
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts, java, libsDir, dataDir, removeDataDir);
    } catch (err) {
      const started = err instanceof LocalKafkaError
        && (err.code === LocalKafkaErrorCodes.START_FAILED || err.code === LocalKafkaErrorCodes.START_TIMEOUT);
      // An auto-picked port taken between picking and binding: pick again.
      if (started && !opts.port && attempt < 3 && err.fields['bindFailed'] === true) continue;
      // A broker that ran keeps its data dir for its logs; an auto temp dir that never got that far goes.
      if (!started && autoDir) await rm(dataDir, { recursive: true, force: true });
      throw err;
    }
  }
}
