/**
 * A decoder's events, checked for time running backwards (TimeCheck) and,
 * with a reorder window, sorted by event time within it (TimeOrder). A
 * capture is reordered frame by frame inside CaptureStream instead, before
 * its packets become attempts, as `reordercap` would; here it is only checked.
 */
import type { ConnectionEvent } from '../../common/avro/generated-types.ts';
import type { InputReport } from '../report.ts';
import type { Decoder } from './source.ts';
import { TimeCheck, TimeOrder } from './time-order.ts';
import type { OrderOptions } from './time-order.ts';

export class OrderedDecoder implements Decoder {
  readonly #inner: Decoder;
  readonly #check: TimeCheck;
  readonly #order: TimeOrder<ConnectionEvent> | undefined;

  /** `reorder`: sort the inner decoder's events (false when it orders its own input). */
  constructor(inner: Decoder, report: InputReport, options: OrderOptions, reorder: boolean) {
    this.#inner = inner;
    this.#check = new TimeCheck(options.allowedLatenessMs, report);
    this.#order = reorder && options.reorderMs > 0 ? new TimeOrder(options.reorderMs, options.reorderMax) : undefined;
  }

  push(chunk: Buffer): ConnectionEvent[] {
    return this.#pass(this.#inner.push(chunk), false);
  }

  end(): ConnectionEvent[] {
    return this.#pass(this.#inner.end(), true);
  }

  #pass(events: ConnectionEvent[], last: boolean): ConnectionEvent[] {
    const order = this.#order;
    if (order === undefined) {
      for (const e of events) this.#check.see(e.eventTime);
      return events;
    }
    const out: ConnectionEvent[] = [];
    const take = (e: ConnectionEvent): void => {
      this.#check.see(e.eventTime);
      out.push(e);
    };
    for (const e of events) order.push(e.eventTime, e, take);
    if (last) order.drain(take);
    return out;
  }
}
