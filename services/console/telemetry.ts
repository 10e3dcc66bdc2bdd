/**
 * The console's Prometheus metrics.
 *
 * | metric | meaning |
 * |---|---|
 * | portent_console_records_total{topic,outcome} | records read: stored, or skipped (already stored, past retention, unreadable) |
 * | portent_console_pruned_total{table} | rows deleted by the retention |
 * | portent_console_live_streams | open server-sent-event streams |
 */
import { metrics } from '@opentelemetry/api';
import type { Counter, UpDownCounter } from '@opentelemetry/api';

interface Instruments {
  readonly records: Counter;
  readonly pruned: Counter;
  readonly streams: UpDownCounter;
}

let instruments: Instruments | undefined;

/** Created on first use, from whatever meter provider is registered then (none: no-ops). */
function get(): Instruments {
  if (instruments !== undefined) return instruments;
  const meter = metrics.getMeter('portent');
  instruments = {
    records: meter.createCounter('portent.console.records', { description: 'Records read, by outcome', unit: '{record}' }),
    pruned: meter.createCounter('portent.console.pruned', { description: 'Rows deleted by the retention', unit: '{row}' }),
    streams: meter.createUpDownCounter('portent.console.live_streams', { description: 'Open server-sent-event streams', unit: '{stream}' }),
  };
  return instruments;
}

export function recordsStored(topic: string, stored: number, skipped: number): void {
  const i = get();
  if (stored > 0) i.records.add(stored, { topic, outcome: 'stored' });
  if (skipped > 0) i.records.add(skipped, { topic, outcome: 'skipped' });
}

export function rowsPruned(table: string, rows: number): void {
  if (rows > 0) get().pruned.add(rows, { table });
}

export function streamOpened(delta: 1 | -1): void {
  get().streams.add(delta);
}
