import type { InBatch } from '../../common/kafka/transport.ts';
import type { Logger } from '../../common/logger.ts';
import { defaultSleep } from '../delivery/deliver.ts';
import type { Sleep } from '../delivery/deliver.ts';

/** Waits longer than this are cut into slices with a heartbeat between, so the group keeps us as a member. */
const HEARTBEAT_EVERY_MS = 3_000;

/**
 * A failed heartbeat usually means a rebalance has begun. The batch is not
 * abandoned: its deliveries are finished and committed (Kafka accepts the
 * commit while the group prepares to rebalance), so the partition's next
 * owner does not resend them. Only if this member was already fenced does
 * the commit fail, and the next owner redelivers with the same webhook-ids.
 */
export async function heartbeat(batch: InBatch, log?: Logger): Promise<void> {
  try {
    await batch.heartbeat();
  } catch (err) {
    log?.debug({ err, partition: batch.partition }, 'heartbeat failed during a batch; finishing it');
  }
}

/** A Sleep that heartbeats every few seconds, so a long retry wait does not cost us the partition. */
export function heartbeatingSleep(batch: InBatch): Sleep {
  return async (ms, signal) => {
    for (let left = ms; left > 0; left -= HEARTBEAT_EVERY_MS) {
      await defaultSleep(Math.min(left, HEARTBEAT_EVERY_MS), signal);
      await heartbeat(batch);
    }
  };
}
