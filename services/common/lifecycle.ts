import type { Logger } from './logger.ts';

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits 0 (1 if stopping failed).
 * A second signal exits at once, for an operator who does not want to wait.
 * `graceMs` bounds the wait so a stuck broker connection cannot hang a pod
 * past its termination grace period.
 */
export function onShutdown(logger: Logger, stop: () => Promise<void>, graceMs = 20_000): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      logger.error({ graceMs }, 'shutdown took too long: exiting');
      process.exit(1);
    }, graceMs);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/** The `onFatal` of a service's transport: log, then exit 1 so the supervisor restarts the process. */
export function exitOnFatal(logger: Logger): (err: unknown) => void {
  return (err) => {
    logger.fatal({ err }, 'fatal: exiting so that the process is restarted');
    process.exit(1);
  };
}

/**
 * Loads the configuration or, if it is invalid, prints every problem plainly
 * on stderr (for the human reading the pod's output) and exits 1.
 */
export function configOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
