/**
 * Files in a broker's data directory, and the one-time storage format.
 *
 *   <dataDir>/server.properties    rendered from deploy/kafka/server.properties.template on every start
 *   <dataDir>/log4j2.xml           copied from deploy/kafka/log4j2.xml on every start
 *   <dataDir>/kraft-logs/          log.dirs: topic data and the KRaft metadata log (meta.properties once formatted)
 *   <dataDir>/logs/server.log      the broker's log; logs/kafka.out has the JVM's own stdout/stderr
 *   <dataDir>/portent-broker.json  the ports last used, reused on restart when free
 *   <dataDir>/sasl-ssl-keystore.pem  key and certificate of the SASL_SSL listener, when there is one (sasl.ts)
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { LocalKafkaError, LocalKafkaErrorCodes } from './errors.ts';
import { deployKafkaDir } from './jars.ts';
import { addScramArgs, renderSaslProperties, saslListeners } from './sasl.ts';
import type { BrokerSaslOptions, SaslPorts } from './sasl.ts';

export const HOST = '127.0.0.1';

export interface DataDirPaths {
  readonly serverProperties: string;
  readonly log4jConfig: string;
  readonly logDir: string;
  readonly logsDir: string;
  readonly serverLog: string;
  readonly jvmOut: string;
  readonly state: string;
  readonly keystore: string;
}

export function dataDirPaths(dataDir: string): DataDirPaths {
  return {
    serverProperties: join(dataDir, 'server.properties'),
    log4jConfig: join(dataDir, 'log4j2.xml'),
    logDir: join(dataDir, 'kraft-logs'),
    logsDir: join(dataDir, 'logs'),
    serverLog: join(dataDir, 'logs', 'server.log'),
    jvmOut: join(dataDir, 'logs', 'kafka.out'),
    state: join(dataDir, 'portent-broker.json'),
    keystore: join(dataDir, 'sasl-ssl-keystore.pem'),
  };
}

export interface Ports extends SaslPorts {
  readonly port: number;
  readonly controllerPort: number;
}

/** Kafka's Uuid text form: 16 random bytes, base64url, no padding (22 chars); like Uuid.randomUuid, never starting with '-'. */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Resolves true when nothing listens on HOST:port (port 0: always true). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen({ port, host: HOST, exclusive: true }, () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

/** A port the OS considers free right now (another process may still take it before the broker binds). */
export function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: HOST, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        if (port > 0) resolve(port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

export function readPreviousPorts(paths: DataDirPaths): Partial<Ports> {
  try {
    const parsed = JSON.parse(readFileSync(paths.state, 'utf8')) as Partial<Ports>;
    return {
      ...(typeof parsed.port === 'number' ? { port: parsed.port } : {}),
      ...(typeof parsed.controllerPort === 'number' ? { controllerPort: parsed.controllerPort } : {}),
    };
  } catch {
    return {};
  }
}

/** Java .properties value escaping for the few characters a path may carry. */
function propertyValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export async function renderServerProperties(ports: Ports, logDir: string): Promise<string> {
  const template = await readFile(join(deployKafkaDir(), 'server.properties.template'), 'utf8');
  const values: Readonly<Record<string, string>> = {
    PORT: String(ports.port),
    CONTROLLER_PORT: String(ports.controllerPort),
    LOG_DIR: propertyValue(logDir),
    SASL_LISTENERS: saslListeners(ports),
  };
  return template.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`server.properties.template: unknown placeholder {{${name}}}`);
    return value;
  });
}

/** Writes server.properties (with the SASL listeners' properties, if any), log4j2.xml and portent-broker.json into the data dir. */
export async function writeConfig(paths: DataDirPaths, ports: Ports, sasl?: BrokerSaslOptions): Promise<void> {
  await mkdir(paths.logsDir, { recursive: true });
  const properties = await renderServerProperties(ports, paths.logDir) + await renderSaslProperties(sasl, paths.keystore);
  await writeFile(paths.serverProperties, properties);
  await copyFile(join(deployKafkaDir(), 'log4j2.xml'), paths.log4jConfig);
  await writeFile(paths.state, `${JSON.stringify(ports)}\n`);
}

export function isFormatted(paths: DataDirPaths): boolean {
  return existsSync(join(paths.logDir, 'meta.properties'));
}

/**
 * `kafka.tools.StorageTool format --standalone` with a new cluster id, unless the data dir is already
 * formatted; SCRAM users are added here (`--add-scram`), since KRaft keeps them in the metadata log.
 */
export async function formatStorage(java: string, libsDir: string, paths: DataDirPaths, sasl?: BrokerSaslOptions): Promise<void> {
  if (isFormatted(paths)) return;
  const args = ['-cp', join(libsDir, '*'), `-Dlog4j2.configurationFile=${paths.log4jConfig}`, `-Dkafka.logs.dir=${paths.logsDir}`,
    'kafka.tools.StorageTool', 'format', '--standalone', '-t', randomClusterId(), '-c', paths.serverProperties, ...addScramArgs(sasl)];
  await new Promise<void>((resolve, reject) => {
    execFile(java, args, { timeout: 120_000 }, (err, stdout, stderr) => {
      if (!err) {
        resolve();
        return;
      }
      reject(new LocalKafkaError(LocalKafkaErrorCodes.FORMAT_FAILED,
        `Formatting Kafka storage in ${paths.logDir} failed: ${err.message}\n${stdout}\n${stderr}`.trim(), { cause: err }));
    });
  });
}

/**
 * The PLAINTEXT port: `requested` if given (error if taken), else the data dir's previous
 * port if free, else any free port. The controller port: the previous one if free, else any.
 */
export async function choosePorts(requested: number | undefined, paths: DataDirPaths, listeners: { sasl?: boolean; ssl?: boolean } = {}): Promise<Ports> {
  const previous = readPreviousPorts(paths);
  let port: number;
  if (requested) {
    if (!(await isPortFree(requested))) {
      throw new LocalKafkaError(LocalKafkaErrorCodes.PORT_IN_USE, `Port ${HOST}:${requested} is already in use (pass port 0 for any free port).`, { fields: { port: requested } });
    }
    port = requested;
  } else {
    port = previous.port !== undefined && (await isPortFree(previous.port)) ? previous.port : await pickFreePort();
  }
  let controllerPort = previous.controllerPort;
  if (controllerPort === undefined || controllerPort === port || !(await isPortFree(controllerPort))) {
    do controllerPort = await pickFreePort(); while (controllerPort === port);
  }
  // The authenticated listeners (tests only) take fresh ports each start.
  const taken = [port, controllerPort];
  const another = async (): Promise<number> => {
    let p: number;
    do p = await pickFreePort(); while (taken.includes(p));
    taken.push(p);
    return p;
  };
  const saslPort = listeners.sasl === true ? await another() : undefined;
  const sslPort = listeners.ssl === true ? await another() : undefined;
  return { port, controllerPort, ...(saslPort === undefined ? {} : { saslPort }), ...(sslPort === undefined ? {} : { sslPort }) };
}
