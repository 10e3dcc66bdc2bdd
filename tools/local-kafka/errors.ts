import { PortentError } from '../../services/common/errors.ts';
import type { PortentErrorOptions } from '../../services/common/errors.ts';

/**
 * Stable codes of the local-broker tool's failures. Callers (test setup, the
 * demo) branch on `code`, never on the message text.
 */
export const LocalKafkaErrorCodes = {
  /** No java on JAVA_HOME/PATH, or one older than 17. Message lists the alternatives. */
  JAVA_MISSING: 'LOCAL_KAFKA_ERR_JAVA_MISSING',
  /** No `mvn` on PATH and the jar cache is empty. */
  MAVEN_MISSING: 'LOCAL_KAFKA_ERR_MAVEN_MISSING',
  /** mvn ran but did not produce the jars (network, unknown version...). */
  JAR_FETCH_FAILED: 'LOCAL_KAFKA_ERR_JAR_FETCH_FAILED',
  /** A bad option, e.g. a version string that is not x.y.z. */
  BAD_OPTION: 'LOCAL_KAFKA_ERR_BAD_OPTION',
  /** The requested port is already bound by another process. */
  PORT_IN_USE: 'LOCAL_KAFKA_ERR_PORT_IN_USE',
  /** `kafka.tools.StorageTool format` failed. */
  FORMAT_FAILED: 'LOCAL_KAFKA_ERR_FORMAT_FAILED',
  /** The java process exited before the broker answered. Message has the log tail. */
  START_FAILED: 'LOCAL_KAFKA_ERR_START_FAILED',
  /** The broker did not answer within the start timeout. */
  START_TIMEOUT: 'LOCAL_KAFKA_ERR_START_TIMEOUT',
} as const;

export type LocalKafkaErrorCode = (typeof LocalKafkaErrorCodes)[keyof typeof LocalKafkaErrorCodes];

export class LocalKafkaError extends PortentError<LocalKafkaErrorCode> {
  constructor(code: LocalKafkaErrorCode, message: string, options: PortentErrorOptions = {}) {
    super(code, message, options);
    this.name = 'LocalKafkaError';
  }
}

export function isLocalKafkaError(err: unknown): err is LocalKafkaError {
  return err instanceof LocalKafkaError;
}

/** The ways to get a Kafka for Portent without this tool; appended to "can't run" errors. */
export const ALTERNATIVES = [
  'Alternatives:',
  '  - install a JDK/JRE 17+ (e.g. `apt-get install openjdk-17-jre-headless`) and Maven (`apt-get install maven`) so the local broker can run;',
  '  - or set KAFKA_BROKERS=host:port,... to use an existing Kafka cluster;',
  '  - or run where a Docker engine is reachable (the tests then use testcontainers).',
].join('\n');
