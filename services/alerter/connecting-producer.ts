import type { RecordProducer } from '../common/kafka/transport.ts';

/**
 * A producer usable at once, while it is still connecting: each send waits
 * for the connection. The API starts listening before Kafka answers (so
 * probes get answers), and its writes simply wait; if connecting fails,
 * start-up fails (main.ts) and close() has nothing to close.
 */
export function connectingProducer(connecting: Promise<RecordProducer>): RecordProducer {
  return {
    send: async (topic, records, options) => (await connecting).send(topic, records, options),
    close: async () => {
      await (await connecting.catch(() => undefined))?.close();
    },
  };
}
