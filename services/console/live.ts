/**
 * Live updates: what the materialiser has just stored, fanned out to every
 * open server-sent-events stream. A slow listener never slows the store:
 * publishing only calls listeners, which queue on their own socket.
 */
import type { Alert } from '../common/avro/generated-types.ts';

/** One closed window, as the overview shows it. */
export interface LiveWindow {
  readonly protocol: string;
  readonly port: number;
  readonly windowStart: number;
  readonly sources: number;
  readonly baseline: number;
  readonly ratio: number;
  readonly surging: boolean;
}

export type LiveEvent =
  | { readonly type: 'stats'; readonly windows: readonly LiveWindow[] }
  | { readonly type: 'alert'; readonly alert: Alert };

export type LiveListener = (event: LiveEvent) => void;

export class LiveFeed {
  readonly #listeners = new Set<LiveListener>();

  /** Answers the function that ends the subscription. */
  subscribe(listener: LiveListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(event: LiveEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  get listeners(): number {
    return this.#listeners.size;
  }
}
