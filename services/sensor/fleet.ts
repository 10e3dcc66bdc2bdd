/**
 * One pipeline per sensor id, over one delivery: a directory replay
 * (directory/replay.ts) publishes each file under its own sensor id, with
 * its own batch ids, exactly as that sensor's own process would. A single
 * input uses one of them, under the configured id.
 */
import { Pipeline } from './pipeline.ts';
import type { PipelineOptions } from './pipeline.ts';

export class SensorPipelines {
  readonly #opts: Omit<PipelineOptions, 'sensorId'>;
  readonly #pipelines = new Map<string, Pipeline>();

  constructor(opts: Omit<PipelineOptions, 'sensorId'>) {
    this.#opts = opts;
  }

  get(sensorId: string): Pipeline {
    let p = this.#pipelines.get(sensorId);
    if (p === undefined) {
      p = new Pipeline({ ...this.#opts, sensorId });
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
}
