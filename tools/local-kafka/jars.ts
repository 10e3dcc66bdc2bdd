/**
 * Fetches the Apache Kafka broker jars (org.apache.kafka:kafka_2.13 and its
 * runtime dependencies, plus a log4j2 SLF4J binding) with Maven, using
 * deploy/kafka/pom.xml, into a per-version cache outside the repository:
 *
 *   ${PORTENT_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/portent}/kafka/<version>/libs
 *
 * mvn copies into a temporary sibling directory; a marker listing the jars is
 * written there and the directory is renamed to libs/ only then, so an
 * interrupted fetch is never mistaken for a complete one.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ALTERNATIVES, LocalKafkaError, LocalKafkaErrorCodes } from './errors.ts';

/** Verified with kafkajs 2.2.4 (see README.md). 4.1.1 was verified too. */
export const DEFAULT_KAFKA_VERSION = '4.4.0';
const MARKER = '.portent-complete.json';

export interface EnsureJarsOptions {
  readonly version?: string;
  /** Overrides the cache root (the directory that holds kafka/<version>/libs). */
  readonly cacheDir?: string;
  /** Progress lines (e.g. "fetching with Maven..."); default: silent. */
  readonly log?: (line: string) => void;
}

interface Marker {
  readonly version: string;
  readonly jars: readonly string[];
}

/** Portent's cache root, the same one tools/node24.sh uses. */
export function portentCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['PORTENT_CACHE_DIR'];
  if (explicit) return explicit;
  return join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'portent');
}

export function validateVersion(version: string): string {
  if (!/^\d+\.\d+\.\d+(?:-[A-Za-z0-9.]+)?$/.test(version)) {
    throw new LocalKafkaError(LocalKafkaErrorCodes.BAD_OPTION, `Not a Kafka version: "${version}" (expected e.g. ${DEFAULT_KAFKA_VERSION})`);
  }
  return version;
}

/** deploy/kafka of this checkout, found upwards from this file (works from dist/ too). */
export function deployKafkaDir(): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'deploy', 'kafka');
    if (existsSync(join(candidate, 'pom.xml'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`deploy/kafka/pom.xml not found above ${import.meta.dirname}`);
  }
}

/** True when libsDir holds a complete fetch of `version`. */
export function isCompleteLibsDir(libsDir: string, version: string): boolean {
  try {
    const marker = JSON.parse(readFileSync(join(libsDir, MARKER), 'utf8')) as Marker;
    return marker.version === version && marker.jars.length > 0 && marker.jars.every((jar) => existsSync(join(libsDir, jar)));
  } catch {
    return false;
  }
}

function runMaven(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const child = spawn('mvn', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        reject(new LocalKafkaError(
          LocalKafkaErrorCodes.MAVEN_MISSING,
          `The Kafka jars are not cached yet and fetching them needs Maven (\`mvn\`), which is not on PATH.\n${ALTERNATIVES}`,
          { cause: err },
        ));
      } else {
        reject(new LocalKafkaError(LocalKafkaErrorCodes.JAR_FETCH_FAILED, `Could not run mvn: ${err.message}`, { cause: err, canRetry: true }));
      }
    });
    child.on('close', (code, signal) => {
      if (code === 0) {
        resolve();
        return;
      }
      reject(new LocalKafkaError(
        LocalKafkaErrorCodes.JAR_FETCH_FAILED,
        // eslint-disable-next-line no-control-regex -- strip the colour codes Debian's mvn prints even with -B
        `mvn ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output.replace(/\u001b\[[0-9;]*m/g, '').trim()}`,
        { canRetry: true, fields: { exitCode: code, signal } },
      ));
    });
  });
}

/**
 * Returns the libs directory holding the Kafka broker jars of `version`
 * (default DEFAULT_KAFKA_VERSION), running mvn only when the cache lacks a
 * complete copy. Use it as `java -cp '<libs>/*'`.
 */
export async function ensureKafkaJars(opts: EnsureJarsOptions = {}): Promise<string> {
  const version = validateVersion(opts.version ?? DEFAULT_KAFKA_VERSION);
  const versionDir = join(opts.cacheDir ?? portentCacheDir(), 'kafka', version);
  const libsDir = join(versionDir, 'libs');
  if (isCompleteLibsDir(libsDir, version)) return libsDir;

  await mkdir(versionDir, { recursive: true });
  const tmpDir = join(versionDir, `libs.tmp-${process.pid}-${Date.now().toString(36)}`);
  opts.log?.(`Fetching Kafka ${version} jars with Maven into ${libsDir} (first run only)...`);
  try {
    await runMaven([
      '-q', '-B', '-Dstyle.color=never',
      '-f', join(deployKafkaDir(), 'pom.xml'),
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-Dkafka.version=${version}`,
      `-DoutputDirectory=${tmpDir}`,
    ]);
    const jars = (await readdir(tmpDir)).filter((f) => f.endsWith('.jar')).sort();
    if (!jars.includes(`kafka_2.13-${version}.jar`)) {
      throw new LocalKafkaError(LocalKafkaErrorCodes.JAR_FETCH_FAILED, `mvn finished but kafka_2.13-${version}.jar is missing from ${tmpDir}`, { canRetry: true });
    }
    const marker: Marker = { version, jars };
    await writeFile(join(tmpDir, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
    if (existsSync(libsDir) && !isCompleteLibsDir(libsDir, version)) await rm(libsDir, { recursive: true, force: true });
    try {
      await rename(tmpDir, libsDir);
    } catch (err) {
      // Another process finished the same fetch first: fine if its copy is complete.
      if (!isCompleteLibsDir(libsDir, version)) throw err;
    }
    return libsDir;
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}
