import type { RecordConsumer } from '../../common/kafka/transport.ts';

/** A running consumer loop of the alerter (alert pipeline, retry worker). */
export interface AlertPipeline {
  /** True from the moment the consumer runs until close(): /readyz reads it. */
  readonly running: boolean;
  /** Aborts in-flight deliveries (their records stay uncommitted) and leaves the group. */
  close(): Promise<void>;
}

/**
 * The handle of a consumer loop that has started. close() drains first: the
 * consumer stops fetching and the batch in flight may finish and be
 * committed, so a rolling restart or scale-down hands over its partitions
 * without resending what it already delivered. Deliveries still running after
 * `drainMs` (a hanging receiver, a retry wait) are aborted through `abort`
 * and their batch goes back to the group uncommitted.
 */
export function drainingHandle(consumer: Pick<RecordConsumer, 'close'>, abort: AbortController, drainMs = 5_000): AlertPipeline {
  let running = true;
  return {
    get running() {
      return running;
    },
    async close() {
      running = false;
      const timer = setTimeout(() => {
        abort.abort(new Error('alerter shutting down'));
      }, drainMs);
      try {
        await consumer.close();
      } finally {
        clearTimeout(timer);
        abort.abort(new Error('alerter shut down'));
      }
    },
  };
}
