/**
 * Finds a Java runtime able to run a Kafka 4 broker (Java 17+).
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ALTERNATIVES, LocalKafkaError, LocalKafkaErrorCodes } from './errors.ts';

export const MIN_JAVA_VERSION = 17;

export interface JavaInfo {
  /** Feature (major) version: 8 for 1.8.0_x, 17 for 17.0.15, 21 for 21-ea. */
  readonly version: number;
  /** Absolute path of the java executable. */
  readonly bin: string;
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** JAVA_HOME/bin/java first, then every `java` on PATH, in order, without duplicates. */
export function javaCandidates(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  const javaHome = env['JAVA_HOME'];
  if (javaHome) out.push(join(javaHome, 'bin', 'java'));
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir) out.push(join(dir, 'java'));
  }
  return [...new Set(out)].filter(isExecutable);
}

/**
 * Parses the output of `java -version` (printed on stderr), e.g.
 * `openjdk version "17.0.15" 2025-04-15`, `java version "1.8.0_392"`, `openjdk version "25-ea"`.
 */
export function parseJavaVersion(output: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(output);
  if (!m?.[1]) return undefined;
  const first = Number(m[1]);
  return first === 1 && m[2] !== undefined ? Number(m[2]) : first;
}

function javaVersionOutput(bin: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve) => {
    // JAVA_TOOL_OPTIONS etc. make java print extra lines; harmless for the regex.
    execFile(bin, ['-version'], { env, timeout: 20_000 }, (_err, stdout, stderr) => {
      resolve(`${stderr}\n${stdout}`);
    });
  });
}

/**
 * Resolves the first usable Java 17+ (JAVA_HOME, then PATH). Throws a
 * LocalKafkaError with code LOCAL_KAFKA_ERR_JAVA_MISSING (canRetry: false)
 * when there is none, whether java is absent or too old.
 */
export async function checkJava(env: NodeJS.ProcessEnv = process.env): Promise<JavaInfo> {
  const seen: string[] = [];
  for (const bin of javaCandidates(env)) {
    const version = parseJavaVersion(await javaVersionOutput(bin, env));
    if (version !== undefined && version >= MIN_JAVA_VERSION) return { version, bin };
    seen.push(`${bin} (${version === undefined ? 'version unreadable' : `Java ${version}`})`);
  }
  const found = seen.length === 0 ? 'no java was found on JAVA_HOME or PATH' : `found only ${seen.join(', ')}`;
  throw new LocalKafkaError(
    LocalKafkaErrorCodes.JAVA_MISSING,
    `The local Kafka broker needs Java ${MIN_JAVA_VERSION}+, but ${found}.\n${ALTERNATIVES}`,
    { canRetry: false, fields: { candidates: seen } },
  );
}
