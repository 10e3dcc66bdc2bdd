/**
 * One pipeline per sensor id, over one delivery: a directory replay
 * (directory/replay.ts) publishes each file under its own sensor id, with
 * its own batch ids, exactly as that sensor's own process would. A single
 * input uses one of them, under the configured id.
 *
 * The pipelines' flushes are coalesced: while one send is in flight, the
 * records of every flush that comes meanwhile wait and go together in the
 * next one. Replaying 16 sensors flushes 16 pipelines per 5 s of data, and
 * the idempotent producer sends one request at a time: sent one by one,
 * those small sends made a four-hour world take minutes through the broker.
 */
import { Pipeline } from './pipeline.ts';
import type { PipelineOptions } from './pipeline.ts';
import type { SpooledRecord } from './spool.ts';

interface Waiting {
  readonly records: readonly SpooledRecord[];
  readonly settle: (err?: unknown) => void;
}

export class SensorPipelines {
  readonly #opts: Omit<PipelineOptions, 'sensorId'>;
  readonly #pipelines = new Map<string, Pipeline>();
  #waiting: Waiting[] = [];
  #sending = false;

  constructor(opts: Omit<PipelineOptions, 'sensorId'>) {
    this.#opts = opts;
  }

  get(sensorId: string): Pipeline {
    let p = this.#pipelines.get(sensorId);
    if (p === undefined) {
      p = new Pipeline({ ...this.#opts, sensorId, publish: (records) => this.#publish(records) });
      this.#pipelines.set(sensorId, p);
    }
    return p;
  }

  /** Flushes and closes every pipeline; the first failure is reported after all are closed. */
  async close(): Promise<void> {
    const results = await Promise.allSettled([...this.#pipelines.values()].map((p) => p.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  #publish(records: readonly SpooledRecord[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting.push({
        records,
        settle: (err) => {
          if (err === undefined) resolve();
          else reject(err instanceof Error ? err : new Error('publish failed', { cause: err }));
        },
      });
      if (!this.#sending) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#sending = true;
    while (this.#waiting.length > 0) {
      const batch = this.#waiting;
      this.#waiting = [];
      try {
        await this.#opts.publish(batch.flatMap((w) => w.records));
        for (const w of batch) w.settle();
      } catch (err) {
        for (const w of batch) w.settle(err ?? new Error('publish failed'));
      }
    }
    this.#sending = false;
  }
}
