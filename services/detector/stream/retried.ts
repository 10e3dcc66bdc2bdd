/**
 * Start-up reads are retried: right after a topic is created, the admin API
 * can answer "not the leader" until metadata settles (kafkajs does not retry
 * ListOffsets on it).
 */
export async function retried<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}
