/**
 * Histogram bucket boundaries, in seconds (Prometheus' base unit). The SDK's
 * default boundaries (0 … 10,000) suit milliseconds and would put every
 * latency here into the first two buckets.
 */

/** Requests and sends: 1 ms to 30 s (a webhook timeout is at most 30 s). */
export const REQUEST_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Event time to output: up to the allowed lateness and a few windows beyond it. */
export const PIPELINE_SECONDS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];
