/**
 * Kafka positions the store has applied, written in the same transaction as
 * the rows they produced: after a crash the console resumes exactly where
 * its file ends, and an empty file means "read from the oldest record".
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

export class OffsetStore {
  readonly #get: StatementSync;
  readonly #set: StatementSync;

  constructor(db: DatabaseSync) {
    this.#get = db.prepare('SELECT next FROM offsets WHERE topic = ? AND partition = ?');
    this.#set = db.prepare('INSERT OR REPLACE INTO offsets VALUES (?,?,?)');
  }

  /** The offset of the next record to apply, or undefined when nothing of the partition is stored. */
  next(topic: string, partition: number): bigint | undefined {
    const row = this.#get.get(topic, partition) as { next: string } | undefined;
    return row === undefined ? undefined : BigInt(row.next);
  }

  /** Call inside the transaction that stored the records before `next`. */
  set(topic: string, partition: number, next: bigint): void {
    this.#set.run(topic, partition, next.toString());
  }
}
